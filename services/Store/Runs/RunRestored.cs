namespace Runstream.Store.Runs;

/// <summary>A deleted run is back in its project, in <paramref name="State"/>.</summary>
public sealed record RunRestored(RunState State, string RestoredBy, DateTimeOffset RestoredAt);
