using JasperFx.Events;
using Marten;
using Npgsql;
using Runstream.Store.Metrics;
using Runstream.Store.Rebuilds;
using Runstream.Store.Runs;
using SessionOptions = Marten.Services.SessionOptions;
using StoreOptions = Runstream.Store.StoreOptions;

namespace Runstream.Projections.Rebuilds;

/// <summary>
/// Rebuilds an inline read model that is a function of one stream's events (<see cref="RunDetails"/>, the metric
/// history) online, one stream at a time, while ingest goes on.
/// </summary>
/// <remarks>
/// Why this is consistent. Both read models are built by inline projections, in the transaction that appends the
/// events, and each stream's rows depend on that stream's events only. So a stream's rows are right exactly when
/// they equal the projection applied to every event the stream has. For each stream, one transaction:
/// <list type="number">
/// <item>locks the stream's <c>mt_streams</c> row (<c>for update</c>). Every append to a stream updates that row,
/// so an append still in flight commits first (we then see its events), and any later append waits for our commit;</item>
/// <item>deletes the stream's rows, replays all its events through the same projection code the live path runs,
/// and writes the result;</item>
/// <item>commits. Readers see the stream's old rows or its rebuilt ones, never a mix; appends that waited then apply
/// their events on top of the rebuilt rows, as they would have on rows built live.</item>
/// </list>
/// A stream that appears after the list of streams was read is built live from its first event; a stream purged
/// meanwhile has no row to lock and is skipped; rows of streams that no longer exist go at the end (a stream's row
/// and its read-model rows are always written in one transaction, so none of a live stream can be taken for one).
/// One difference is not the projection's: a time taken from an event's timestamp (<see cref="RunDetails.UpdatedAt"/>)
/// carries .NET's 100-ns ticks when built live and PostgreSQL's microseconds when replayed.
/// Ingest waits only for the stream being rebuilt, for as long as its replay takes. Each stream is replayed in pages
/// so a long run never sits in memory whole.
/// </remarks>
public sealed class RunStreamRebuilder(IDocumentStore store, NpgsqlDataSource database, StoreOptions schema)
{
    private const int PageSize = 200;
    private string S => schema.Schema;

    public async Task RebuildAsync(RebuildReadModel model, RebuildRequest progress, Func<bool, Task> report, CancellationToken cancellation)
    {
        List<string> streams;
        await using (var connection = await database.OpenConnectionAsync(cancellation))
        {
            streams = await ColumnAsync(connection, $"select id from {S}.mt_streams order by id", cancellation);
            progress.EventsTotal = (long)(await new NpgsqlCommand($"select count(*) from {S}.mt_events", connection).ExecuteScalarAsync(cancellation))!;
        }
        progress.StreamsTotal = streams.Count;
        await report(true);

        foreach (var stream in streams)
        {
            await RebuildStreamAsync(model, stream, progress, cancellation);
            progress.StreamsDone++;
            await report(false);
        }
        await DropOrphansAsync(model, cancellation);
    }

    private async Task RebuildStreamAsync(RebuildReadModel model, string streamKey, RebuildRequest progress, CancellationToken cancellation)
    {
        await using var connection = await database.OpenConnectionAsync(cancellation);
        await using var transaction = await connection.BeginTransactionAsync(cancellation);
        long version;
        await using (var locking = new NpgsqlCommand($"select version from {S}.mt_streams where id = $1 for update", connection) { Parameters = { new() { Value = streamKey } } })
            if (await locking.ExecuteScalarAsync(cancellation) is long locked)
                version = locked;
            else
                return;
        await using var session = store.LightweightSession(SessionOptions.ForTransaction(transaction));

        var details = new RunDetailsProjection();
        var history = new MetricHistoryProjection(S);
        RunDetails? run = null;
        if (model == RebuildReadModel.MetricHistory)
            await using (var clear = new NpgsqlCommand($"delete from {S}.{MetricHistoryTable.Name} where run_key = $1", connection) { Parameters = { new() { Value = streamKey } } })
                await clear.ExecuteNonQueryAsync(cancellation);

        for (long from = 1; from <= version; from += PageSize)
        {
            var page = await session.Events.FetchStreamAsync(streamKey, version: Math.Min(version, from + PageSize - 1), fromVersion: from, token: cancellation);
            if (model == RebuildReadModel.MetricHistory)
            {
                await history.ApplyAsync(session, page, cancellation);
                await session.SaveChangesAsync(cancellation);
            }
            else
                foreach (var e in page)
                    run = details.Evolve(run, streamKey, e);
            progress.EventsDone += page.Count;
            progress.PointsDone += PointsIn(page);
        }

        if (model == RebuildReadModel.RunDetails)
        {
            if (run is null)
                session.Delete<RunDetails>(streamKey);
            else
                session.Store(run);
            await session.SaveChangesAsync(cancellation);
        }
        await transaction.CommitAsync(cancellation);
    }

    private async Task DropOrphansAsync(RebuildReadModel model, CancellationToken cancellation)
    {
        var table = model == RebuildReadModel.MetricHistory ? $"{S}.{MetricHistoryTable.Name}" : $"{S}.mt_doc_rundetails";
        var key = model == RebuildReadModel.MetricHistory ? "run_key" : "id";
        await using var connection = await database.OpenConnectionAsync(cancellation);
        await using var command = new NpgsqlCommand($"delete from {table} r where not exists (select 1 from {S}.mt_streams s where s.id = r.{key})", connection);
        await command.ExecuteNonQueryAsync(cancellation);
    }

    /// <summary>Metric points in a page of events: one per key of each logged row.</summary>
    public static long PointsIn(IEnumerable<IEvent> events) =>
        events.Select(e => e.Data).OfType<MetricsLogged>().Sum(logged => (long)logged.Decode().Rows.Sum(row => row.KeyIndexes.Count));

    private static async Task<List<string>> ColumnAsync(NpgsqlConnection connection, string sql, CancellationToken cancellation)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync(cancellation);
        var values = new List<string>();
        while (await reader.ReadAsync(cancellation))
            values.Add(reader.GetString(0));
        return values;
    }
}
