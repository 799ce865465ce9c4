using Marten;

namespace Runstream.Store.Live;

/// <summary>
/// Tells listeners (the Query service's live updates) that a run changed. A PostgreSQL
/// notification queued in the writing transaction is delivered only when that transaction
/// commits, so a listener never hears of a change it cannot read yet, and every Query instance hears it.
/// </summary>
public static class RunChanges
{
    public const string Channel = "runstream_run_changes";

    /// <summary>A notification's payload is at most 8000 bytes; run keys are ASCII names.</summary>
    private const int MaxPayload = 7900;

    public static void Notify(IDocumentSession session, string runKey) => Notify(session, [runKey]);

    /// <summary>
    /// One notification for many runs (keys separated by new lines), so a batch of frames of two
    /// hundred runs costs a statement or two, not two hundred. NOTIFY rather than pg_notify(): a
    /// statement that returns no rows, as the commands Marten batches must. Run keys hold only names
    /// Ingest and the key administration accept; quotes are doubled anyway.
    /// </summary>
    public static void Notify(IDocumentSession session, IReadOnlyCollection<string> runKeys)
    {
        var payload = new System.Text.StringBuilder();
        foreach (var key in runKeys)
        {
            if (payload.Length > 0 && payload.Length + key.Length + 1 > MaxPayload)
            {
                Queue(session, payload.ToString());
                payload.Clear();
            }
            payload.Append(payload.Length > 0 ? "\n" : "").Append(key);
        }
        if (payload.Length > 0)
            Queue(session, payload.ToString());
    }

    /// <summary>The run keys of a notification's payload.</summary>
    public static string[] Parse(string payload) => payload.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    private static void Queue(IDocumentSession session, string payload) =>
        session.QueueSqlCommand($"notify {Channel}, '{payload.Replace("'", "''")}'");
}
