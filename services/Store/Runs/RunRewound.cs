namespace Runstream.Store.Runs;

/// <summary>
/// A client continued the run from an earlier step (resume_from): what it logged after <paramref name="Step"/> is
/// superseded. The events that logged it stay in the stream, for the audit trail, and so do its metric history rows:
/// readers leave them out (<see cref="RunLineage"/>), except a fork made before the rewind, which reads the run as it was.
/// <paramref name="Summary"/> is the summary the history up to the step gives, and <paramref name="PreviousState"/>
/// where the run stood.
/// </summary>
public sealed record RunRewound(long Sequence, long Step, RunState PreviousState, SummaryAtStep Summary, DateTimeOffset RewoundAt) : IFrameEvent;
