namespace Runstream.Store.Runs;

/// <summary>One rewind of a run, as its page lists them: from <see cref="At"/> on, its history after <see cref="Step"/> was superseded.</summary>
public sealed record RunRewind(long Step, DateTimeOffset At);
