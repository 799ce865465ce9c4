using Marten;
using Npgsql;
using Runstream.Blobs;
using Runstream.ServiceDefaults;
using Runstream.Store.Content;
using Runstream.Store.Media;
using StoreOptions = Runstream.Store.StoreOptions;

namespace Runstream.Projections.Content;

/// <summary>Blob collection settings (<c>Blobs:*</c>).</summary>
public sealed class BlobCollectorOptions
{
    /// <summary>How often orphaned content is looked for; zero turns collection off.</summary>
    public TimeSpan CollectEvery { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How long unreferenced content is kept after it was last uploaded or named.</summary>
    public TimeSpan OrphanAfter { get; set; } = TimeSpan.FromHours(24);
}

/// <summary>
/// Removes content no artifact and no run's media references (uploads whose artifact never came, content
/// of removed versions and purged runs), and entities' claims on it, so storage and quotas count only what
/// is in use. The retention purge calls it for the content of the run it purged.
/// </summary>
public sealed class BlobCollector(IBlobStore blobs, IDocumentStore store, NpgsqlDataSource database, StoreOptions schema,
    BlobCollectorOptions options, TimeProvider clock, ILogger<BlobCollector> logger) : BackgroundService
{
    private static readonly System.Diagnostics.Metrics.Counter<long> Collected =
        RunstreamTelemetry.Meter.CreateCounter<long>("runstream.blobs.collected", description: "Orphaned blobs removed");

    protected override async Task ExecuteAsync(CancellationToken stopping)
    {
        if (options.CollectEvery <= TimeSpan.Zero)
            return;
        using var timer = new PeriodicTimer(options.CollectEvery, clock);
        while (await timer.WaitForNextTickAsync(stopping))
        {
            try
            {
                await CollectAsync(stopping);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Blob collection failed; it runs again in {Interval}.", options.CollectEvery);
            }
        }
    }

    public Task<int> CollectAsync(CancellationToken cancellation) => CollectAsync(null, clock.GetUtcNow() - options.OrphanAfter, cancellation);

    /// <summary>
    /// Collects, with <paramref name="cutoff"/> as the grace period's end; with <paramref name="only"/>, just those
    /// (entity, digest) claims and their blobs: a purge names what its run referenced and the time the run was
    /// deleted, so content nobody else references goes now, and content uploaded or named since stays.
    /// Returns the number of blobs removed.
    /// </summary>
    public async Task<int> CollectAsync(IReadOnlySet<(string Entity, string Digest)>? only, DateTimeOffset cutoff, CancellationToken cancellation)
    {
        // What is stored is read first, then what artifacts and media reference, once the artifact read model
        // has applied every event appended before that: content named by an artifact logged up to here is
        // seen as referenced, and content named later was marked as used when Ingest checked the frame.
        List<StoredContent> claims;
        await using (var session = store.QuerySession())
            claims = only is null
                ? [.. await session.Query<StoredContent>().ToListAsync(cancellation)]
                : [.. await session.LoadManyAsync<StoredContent>(cancellation, only.Select(c => StoredContent.KeyOf(c.Entity, c.Digest)).ToArray())];
        var blobsNow = only is null
            ? blobs.List().Select(b => (b.Digest.Hex, b.WrittenAt)).ToList()
            : [.. only.Select(c => c.Digest).Distinct().Select(d => (Digest: d, WrittenAt: ContentDigest.TryParse(d, out var p) ? blobs.WrittenAt(p.Value) : null))
                .Where(b => b.WrittenAt is not null).Select(b => (b.Digest, b.WrittenAt!.Value))];
        if (!await ArtifactsCaughtUpAsync(await HighWaterMarkAsync(cancellation), cancellation))
        {
            logger.LogInformation("Blob collection skipped: the artifact read model is behind the event store (rebuilding, or its daemon is stopped).");
            return 0;
        }
        var plan = BlobCollectionPlan.Decide(claims, await ReferencedAsync(cancellation), blobsNow, cutoff);

        // Claims go only if still unused (Ingest may have marked one since it was read); a blob only if
        // nobody claims it now and it was not written again meanwhile.
        var claimsRemoved = await ExecuteAsync($"delete from {Table} where id = any($1) and (data ->> 'lastUsedAt')::timestamptz < $2", cancellation, plan.Claims.ToArray(), cutoff);
        var stillClaimed = await ClaimedAsync(plan.Blobs, cancellation);
        var removed = 0;
        foreach (var digest in plan.Blobs.Where(d => !stillClaimed.Contains(d)))
            if (ContentDigest.TryParse(digest, out var parsed) && blobs.WrittenAt(parsed.Value) is { } written && written < cutoff)
            {
                blobs.Delete(parsed.Value);
                removed++;
            }
        Collected.Add(removed);
        if (removed > 0 || claimsRemoved > 0)
            logger.LogInformation("Collected {Blobs} orphaned blobs and {Claims} unused content claims.", removed, claimsRemoved);
        return removed;
    }

    private string Table => $"{schema.Schema}.mt_doc_storedcontent";

    private async Task<long> HighWaterMarkAsync(CancellationToken cancellation)
    {
        await using var command = database.CreateCommand($"select coalesce(max(seq_id), 0) from {schema.Schema}.mt_events");
        return (long)(await command.ExecuteScalarAsync(cancellation))!;
    }

    /// <summary>Waits (a while) until the artifact read model has applied every event up to <paramref name="mark"/>.</summary>
    private async Task<bool> ArtifactsCaughtUpAsync(long mark, CancellationToken cancellation)
    {
        var until = clock.GetUtcNow() + CatchUpWait;
        while (true)
        {
            await using (var command = database.CreateCommand($"select coalesce(max(last_seq_id), 0) from {schema.Schema}.mt_event_progression where name like 'ArtifactCollection%'"))
                if ((long)(await command.ExecuteScalarAsync(cancellation))! >= mark)
                    return true;
            if (clock.GetUtcNow() > until)
                return false;
            await Task.Delay(TimeSpan.FromSeconds(1), clock, cancellation);
        }
    }

    private static readonly TimeSpan CatchUpWait = TimeSpan.FromMinutes(2);

    private async Task<HashSet<string>> ClaimedAsync(IReadOnlyList<string> digests, CancellationToken cancellation)
    {
        await using var command = database.CreateCommand($"select distinct data ->> 'digest' from {Table} where data ->> 'digest' = any($1)");
        command.Parameters.Add(new NpgsqlParameter { Value = digests.ToArray() });
        await using var reader = await command.ExecuteReaderAsync(cancellation);
        var claimed = new HashSet<string>(StringComparer.Ordinal);
        while (await reader.ReadAsync(cancellation))
            claimed.Add(reader.GetString(0));
        return claimed;
    }

    private async Task<int> ExecuteAsync(string sql, CancellationToken cancellation, params object[] parameters)
    {
        await using var command = database.CreateCommand(sql);
        foreach (var parameter in parameters)
            command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        return await command.ExecuteNonQueryAsync(cancellation);
    }

    /// <summary>(entity, digest) of every file of every artifact version, and of every file a run's media names.</summary>
    private async Task<HashSet<(string Entity, string Digest)>> ReferencedAsync(CancellationToken cancellation)
    {
        await using var command = database.CreateCommand($"""
            select distinct a.data ->> 'entity', f ->> 'digest'
            from {schema.Schema}.mt_doc_artifactcollection a,
                 jsonb_array_elements(a.data -> 'versions') v,
                 jsonb_array_elements(v -> 'files') f
            union
            select distinct split_part(m.run_key, '/', 1), d
            from {schema.Schema}.{MediaCellsTable.Name} m, unnest(m.digests) d
            """);
        await using var reader = await command.ExecuteReaderAsync(cancellation);
        var referenced = new HashSet<(string, string)>();
        while (await reader.ReadAsync(cancellation))
            referenced.Add((reader.GetString(0), reader.GetString(1)));
        return referenced;
    }
}
