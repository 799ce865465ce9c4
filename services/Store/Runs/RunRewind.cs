namespace Runstream.Store.Runs;

/// <summary>
/// One rewind of a run, as its page lists them: from <see cref="At"/> on, what it logged after <see cref="Step"/> (in
/// frames before <see cref="Sequence"/>, the rewind's own) is superseded. History readers apply it (<see cref="RunLineage"/>).
/// </summary>
public sealed record RunRewind(long Step, DateTimeOffset At, long Sequence = 0);
