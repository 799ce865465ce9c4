namespace Runstream.Query.Audit;

/// <summary>
/// One event of a run's stream as its audit trail shows it: when, what, the frame's sequence (null for the
/// server's own events and for edits from the API), who (an API key's id; "run" for what the run itself sent;
/// "server" for what the server decided) and what changed.
/// </summary>
public sealed record AuditEntry(long Version, DateTimeOffset At, string Kind, long? Sequence, string By, string Detail);
