using Marten;
using Npgsql;
using Runstream.Blobs;
using Runstream.ServiceDefaults;
using Runstream.Store.Content;
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
/// Removes content no artifact references (uploads whose artifact never came, content of removed
/// versions), and entities' claims on it, so storage and quotas count only what is in use.
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

    public async Task CollectAsync(CancellationToken cancellation)
    {
        await using var session = store.LightweightSession();
        var claims = await session.Query<StoredContent>().ToListAsync(cancellation);
        var plan = BlobCollectionPlan.Decide(claims, await ReferencedAsync(cancellation), blobs.List().Select(b => (b.Digest.Hex, b.WrittenAt)),
            clock.GetUtcNow(), options.OrphanAfter);
        if (plan.Claims.Count > 0)
        {
            foreach (var id in plan.Claims)
                session.Delete<StoredContent>(id);
            await session.SaveChangesAsync(cancellation);
        }
        foreach (var digest in plan.Blobs)
            if (ContentDigest.TryParse(digest, out var parsed))
                blobs.Delete(parsed.Value);
        Collected.Add(plan.Blobs.Count);
        if (plan.Blobs.Count > 0 || plan.Claims.Count > 0)
            logger.LogInformation("Collected {Blobs} orphaned blobs and {Claims} unused content claims.", plan.Blobs.Count, plan.Claims.Count);
    }

    /// <summary>(entity, digest) of every file of every artifact version.</summary>
    private async Task<HashSet<(string Entity, string Digest)>> ReferencedAsync(CancellationToken cancellation)
    {
        await using var command = database.CreateCommand($"""
            select distinct a.data ->> 'entity', f ->> 'digest'
            from {schema.Schema}.mt_doc_artifactcollection a,
                 jsonb_array_elements(a.data -> 'versions') v,
                 jsonb_array_elements(v -> 'files') f
            """);
        await using var reader = await command.ExecuteReaderAsync(cancellation);
        var referenced = new HashSet<(string, string)>();
        while (await reader.ReadAsync(cancellation))
            referenced.Add((reader.GetString(0), reader.GetString(1)));
        return referenced;
    }
}
