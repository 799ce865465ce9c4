namespace Runstream.Store.Runs;

/// <summary>Where a fork branched off: a run of the same project, and the last of its steps the fork takes.</summary>
public sealed record ForkPoint(string RunId, long Step);
