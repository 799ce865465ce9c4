using Marten;
using SessionOptions = Marten.Services.SessionOptions;
using Npgsql;
using Runstream.Blobs;
using Runstream.Projections.Content;
using Runstream.Store.Artifacts;
using Runstream.Store.ConsoleOutput;
using Runstream.Store.Media;
using Runstream.Store.Metrics;
using Runstream.Store.Projects;
using Runstream.Store.Retention;
using Runstream.Store.Runs;
using StoreOptions = Runstream.Store.StoreOptions;

namespace Runstream.Projections.Retention;

/// <summary>
/// The hard delete of one soft-deleted run. In one transaction: its events and stream, every read-model
/// row keyed by it (details, environment, liveness, parked frames, metric chunks, console lines, media
/// cells), its place in its artifact collections (<see cref="ArtifactPurge"/>) and in its project's
/// overview, and a <see cref="PurgedRun"/> tombstone. After the commit, the blob collector removes the
/// files the run referenced that nothing else references any more, and its spilled frames go.
/// </summary>
public sealed class RunPurger(IDocumentStore store, NpgsqlDataSource database, StoreOptions schema, BlobCollector collector,
    SpilledFrames spill, RetentionOptions options, TimeProvider clock, ILogger<RunPurger> logger)
{
    private string S => schema.Schema;

    /// <summary>What was removed; null when the run was not purged (gone, not soft-deleted, or its projections are behind).</summary>
    public async Task<PurgeCounts?> PurgeAsync(string runKey, string purgedBy, CancellationToken cancellation)
    {
        var key = RunKey.Parse(runKey);
        // The async projections (project overview, artifact collections) must have applied the run's events:
        // once they are deleted, nothing would ever take the run out of the counts or the versions.
        if (!await ProjectionsCaughtUpAsync(runKey, cancellation))
        {
            logger.LogInformation("Run {Run} not purged yet: the async projections have not applied all its events.", runKey);
            return null;
        }

        await using var connection = await database.OpenConnectionAsync(cancellation);
        await using var transaction = await connection.BeginTransactionAsync(cancellation);
        // The stream's row locked: an append to the run (a restore, a late frame) waits for this transaction.
        if (await ScalarAsync(connection, $"select version from {S}.mt_streams where id = $1 for update", runKey) is null)
            return null;
        await using var session = store.LightweightSession(SessionOptions.ForTransaction(transaction));
        var run = await session.LoadAsync<RunDetails>(runKey, cancellation);
        if (run?.DeletedAt is not { } deletedAt)
            return null;
        var deletedBy = await ScalarAsync(connection, $"""
            select coalesce(data ->> 'deletedBy', data ->> 'movedBy') from {S}.mt_events
            where stream_id = $1 and type in ('run_deleted', 'run_moved') order by seq_id desc limit 1
            """, runKey) as string;

        // Content the run referenced: the files its media names and those of artifact versions that go with it.
        var candidates = (await ColumnAsync(connection, $"select distinct d from {S}.{MediaCellsTable.Name}, unnest(digests) d where run_key = $1", runKey)).ToHashSet();
        var spills = await ColumnAsync(connection, $"select data -> 'frame' ->> 'spilledFrame' from {S}.mt_doc_parkedframe where data ->> 'runKey' = $1 and data -> 'frame' ->> 'spilledFrame' is not null", runKey);
        var versionsRemoved = 0;
        var names = run.ArtifactsLogged.Concat(run.ArtifactsUsed).Select(a => ArtifactCollection.KeyOf(key.Entity, key.Project, a.Name)).Distinct().ToArray();
        foreach (var collection in names.Length == 0 ? [] : await session.LoadManyAsync<ArtifactCollection>(cancellation, names))
        {
            var removed = ArtifactPurge.Remove(collection, key.RunId);
            versionsRemoved += removed.Count;
            candidates.UnionWith(removed.SelectMany(v => v.Files).Select(f => f.Digest));
            if (collection.Versions.Count == 0)
                session.Delete(collection);
            else
                session.Store(collection);
        }
        await ForgetInOverviewAsync(connection, session, key, run, cancellation);

        var counts = new PurgeCounts
        {
            Runs = 1,
            Events = await ExecuteAsync(connection, $"delete from {S}.mt_events where stream_id = $1", runKey),
            Streams = await ExecuteAsync(connection, $"delete from {S}.mt_streams where id = $1", runKey),
            Documents = await ExecuteAsync(connection, $"delete from {S}.mt_doc_rundetails where id = $1", runKey)
                + await ExecuteAsync(connection, $"delete from {S}.mt_doc_runenvironmentdetails where id = $1", runKey)
                + await ExecuteAsync(connection, $"delete from {S}.mt_doc_runliveness where id = $1", runKey)
                + await ExecuteAsync(connection, $"delete from {S}.mt_doc_parkedframe where data ->> 'runKey' = $1", runKey),
            MetricChunks = await ExecuteAsync(connection, $"delete from {S}.{MetricHistoryTable.Name} where run_key = $1", runKey),
            ConsoleLines = await ExecuteAsync(connection, $"delete from {S}.{ConsoleTable.Name} where run_key = $1", runKey),
            MediaCells = await ExecuteAsync(connection, $"delete from {S}.{MediaCellsTable.Name} where run_key = $1", runKey),
            ArtifactVersions = versionsRemoved,
        };
        var now = clock.GetUtcNow();
        session.Store(new PurgedRun
        {
            Id = PurgedRun.HashOf(runKey),
            Entity = key.Entity,
            ProjectHash = PurgedRun.HashOf(key.ProjectKey),
            DeletedBy = deletedBy,
            DeletedAt = deletedAt,
            PurgedBy = purgedBy,
            PurgedAt = now,
            Removed = counts,
        });
        await session.SaveChangesAsync(cancellation);
        await transaction.CommitAsync(cancellation);

        foreach (var frame in spills)
            spill.Delete(frame);
        // Content named or uploaded again since the run was deleted is someone's (a frame on its way): it stays.
        var blobs = candidates.Count == 0 ? 0
            : await collector.CollectAsync(candidates.Select(digest => (key.Entity, digest)).ToHashSet(), deletedAt, cancellation);
        counts = counts with { Blobs = blobs + spills.Count };
        logger.LogInformation("Purged run {Run} (deleted {DeletedAt}): {Counts}.", PurgedRun.HashOf(runKey), deletedAt, counts);
        return counts;
    }

    /// <summary>
    /// The overview counts a deleted run nowhere already; it forgets the run's id, and the metric and config keys
    /// only it had. A project left with no run at all goes from the projects list, with its run-name counter.
    /// </summary>
    private async Task ForgetInOverviewAsync(NpgsqlConnection connection, IDocumentSession session, RunKey key, RunDetails run, CancellationToken cancellation)
    {
        var overview = await session.LoadAsync<ProjectOverview>(key.ProjectKey, cancellation);
        var others = new List<(string Id, string? Config)>();
        await using (var command = Command(connection, $"select id, (data -> 'config')::text from {S}.mt_doc_rundetails where data ->> 'entity' = $1 and data ->> 'project' = $2 and id <> $3",
                         key.Entity, key.Project, key.ToString()))
        await using (var reader = await command.ExecuteReaderAsync(cancellation))
            while (await reader.ReadAsync(cancellation))
                others.Add((reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1)));
        if (others.Count == 0)
        {
            session.Delete<ProjectOverview>(key.ProjectKey);
            session.Delete<RunNumbers>(key.ProjectKey);
            return;
        }
        if (overview is null)
            return;
        overview.DeletedRuns.Remove(key.RunId);

        var metricKeys = await ColumnAsync(connection, $"select distinct key from {S}.{MetricHistoryTable.Name} where run_key = $1", key.ToString());
        var stillUsed = (await ColumnAsync(connection, $"""
            select k from unnest($1::text[]) k
            where exists (select 1 from {S}.{MetricHistoryTable.Name} m where m.run_key = any($2) and m.key = k)
            """, metricKeys.ToArray(), others.Select(o => o.Id).ToArray())).ToHashSet();
        overview.MetricKeys.ExceptWith(metricKeys.Where(k => !stillUsed.Contains(k)));

        var configKeys = ConfigMerge.LeafPaths(run.Config).ToHashSet();
        foreach (var (_, config) in others)
            if (config is not null && System.Text.Json.Nodes.JsonNode.Parse(config) is System.Text.Json.Nodes.JsonObject other)
                configKeys.ExceptWith(ConfigMerge.LeafPaths(other));
        overview.ConfigKeys.ExceptWith(configKeys);
        session.Store(overview);
    }

    private async Task<bool> ProjectionsCaughtUpAsync(string runKey, CancellationToken cancellation)
    {
        var until = clock.GetUtcNow() + options.CatchUpWait;
        await using var connection = await database.OpenConnectionAsync(cancellation);
        var last = (long)(await ScalarAsync(connection, $"select coalesce(max(seq_id), 0) from {S}.mt_events where stream_id = $1", runKey))!;
        while (true)
        {
            await using (var command = Command(connection, $"""
                select coalesce(min(last_seq_id), 0), count(*) from {S}.mt_event_progression
                where name like 'ProjectOverview%' or name like 'ArtifactCollection%'
                """))
            await using (var reader = await command.ExecuteReaderAsync(cancellation))
                if (await reader.ReadAsync(cancellation) && reader.GetInt64(1) >= 2 && reader.GetInt64(0) >= last)
                    return true;
            if (clock.GetUtcNow() > until)
                return false;
            await Task.Delay(TimeSpan.FromMilliseconds(250), clock, cancellation);
        }
    }

    private static NpgsqlCommand Command(NpgsqlConnection connection, string sql, params object[] parameters)
    {
        var command = new NpgsqlCommand(sql, connection);
        foreach (var parameter in parameters)
            command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        return command;
    }

    private static async Task<object?> ScalarAsync(NpgsqlConnection connection, string sql, params object[] parameters)
    {
        await using var command = Command(connection, sql, parameters);
        var value = await command.ExecuteScalarAsync();
        return value is DBNull ? null : value;
    }

    private static async Task<int> ExecuteAsync(NpgsqlConnection connection, string sql, params object[] parameters)
    {
        await using var command = Command(connection, sql, parameters);
        return await command.ExecuteNonQueryAsync();
    }

    private static async Task<List<string>> ColumnAsync(NpgsqlConnection connection, string sql, params object[] parameters)
    {
        await using var command = Command(connection, sql, parameters);
        await using var reader = await command.ExecuteReaderAsync();
        var values = new List<string>();
        while (await reader.ReadAsync())
            if (!reader.IsDBNull(0))
                values.Add(reader.GetString(0));
        return values;
    }
}
