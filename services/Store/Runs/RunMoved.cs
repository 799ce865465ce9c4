namespace Runstream.Store.Runs;

/// <summary>
/// The run moved to <paramref name="ToProject"/>: its events were copied to a stream of the same run id
/// there, and this stream stays as the record of where it went. To its old project it is gone as a
/// deleted run is (<paramref name="State"/> takes it out of the counts), but it cannot be restored.
/// </summary>
public sealed record RunMoved(string ToProject, RunState State, string MovedBy, DateTimeOffset MovedAt);
