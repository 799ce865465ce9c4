namespace Runstream.Store.Runs;

/// <summary>
/// The run was deleted from its project (soft: its events and history stay, and <see cref="RunRestored"/>
/// undoes it). <paramref name="State"/> is the state it was in, so project counts can take it out.
/// </summary>
public sealed record RunDeleted(RunState State, string DeletedBy, DateTimeOffset DeletedAt);
