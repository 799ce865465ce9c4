using System.Text.Json;
using Marten;
using Npgsql;
using Runstream.Query.Runs;
using Runstream.Query.Security;
using Runstream.Store.Runs;
using StoreOptions = Runstream.Store.StoreOptions;

namespace Runstream.Query.Audit;

/// <summary>A run's audit trail: every event of its stream but the bulk data, read from the event store itself.</summary>
public static class AuditEndpoints
{
    public const int MaxEntries = 10_000;

    public static void MapAudit(this RouteGroupBuilder api)
    {
        api.MapGet("/projects/{project}/runs/{runId}/audit", async Task<IResult> (string project, string runId, IQuerySession session,
                NpgsqlDataSource database, StoreOptions store, HttpContext http, CancellationToken cancellation) =>
            {
                var runKey = new RunKey(http.Entity(), project, runId).ToString();
                if (await session.LoadAsync<RunDetails>(runKey, cancellation) is null)
                    return RunEndpoints.RunNotFound(project, runId);
                await using var command = database.CreateCommand($"""
                    select version, timestamp, type, data from {store.Schema}.mt_events
                    where stream_id = $1 and type <> all($2) order by version limit $3
                    """);
                command.Parameters.Add(new() { Value = runKey });
                command.Parameters.Add(new() { Value = AuditEntries.DataEvents });
                command.Parameters.Add(new() { Value = MaxEntries });
                var entries = new List<AuditEntry>();
                await using var reader = await command.ExecuteReaderAsync(cancellation);
                while (await reader.ReadAsync(cancellation))
                {
                    using var data = JsonDocument.Parse(reader.GetString(3));
                    entries.Add(AuditEntries.Describe(reader.GetInt64(0), reader.GetFieldValue<DateTimeOffset>(1), reader.GetString(2), data.RootElement));
                }
                return Results.Ok(new { entries });
            })
            .WithName("GetRunAudit")
            .WithSummary("The run's events but metrics, console lines and media: starts, config changes, edits (and by which API key), resumes, finishes, crashes, rejected frames, deletions and moves.");
    }
}
