namespace Runstream.Query.Logs;

/// <summary>
/// A page of a run's console output. <see cref="Next"/> is where the next page starts (null at the
/// end of what is stored so far); <see cref="LimitReached"/> says the run's output was cut at its limit.
/// </summary>
public sealed record LogsPage(IReadOnlyList<LogLine> Lines, long? Next, long Total, bool LimitReached);
