namespace Runstream.Store.Runs;

/// <summary>
/// Where a fork branched off: a run (of <see cref="Project"/>, the fork's own project when it started) and the last of
/// its steps the fork takes. <see cref="ParentSequence"/> is the parent's last applied frame when the fork started: the
/// fork reads the parent's history as it was then, whatever the parent rewinds later. Projections sets both.
/// </summary>
public sealed record ForkPoint(string RunId, long Step, string? Project = null, long? ParentSequence = null);
