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

    /// <summary>
    /// NOTIFY rather than pg_notify(): a statement that returns no rows, as the commands Marten batches
    /// must. Run keys hold only names Ingest and the key administration accept; quotes are doubled anyway.
    /// </summary>
    public static void Notify(IDocumentSession session, string runKey) =>
        session.QueueSqlCommand($"notify {Channel}, '{runKey.Replace("'", "''")}'");
}
