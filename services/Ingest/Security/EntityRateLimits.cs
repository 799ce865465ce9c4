using System.Collections.Concurrent;
using System.Globalization;
using System.Threading.RateLimiting;
using Grpc.Core;
using Microsoft.Extensions.Options;

namespace Runstream.Ingest.Security;

/// <summary>
/// Per-entity token buckets on what costs: metric points, and bytes of every frame and upload. A frame
/// over the limit ends the stream with RESOURCE_EXHAUSTED and a retry-after; the SDK backs off and
/// re-sends what was not acknowledged, so a limited client loses nothing. Uploads over the limit are
/// slowed down rather than refused.
/// </summary>
public sealed class EntityRateLimits(IOptions<RateLimitOptions> options)
{
    private readonly ConcurrentDictionary<string, RateLimiter?> _points = new();
    private readonly ConcurrentDictionary<string, RateLimiter?> _bytes = new();

    /// <summary>Takes a frame's points and bytes from the entity's buckets, or throws RESOURCE_EXHAUSTED.</summary>
    public void Take(string entity, int points, int bytes)
    {
        if (TryTake(_points, entity, points, options.Value.PointsPerSecond, options.Value.DefaultPointsPerSecond) is { } pointsWait)
            throw Exhausted($"Entity '{entity}' is limited to {PerSecond(options.Value.PointsPerSecond, options.Value.DefaultPointsPerSecond, entity):N0} points/s", pointsWait);
        if (TryTake(_bytes, entity, bytes, options.Value.BytesPerSecond, options.Value.DefaultBytesPerSecond) is { } bytesWait)
            throw Exhausted($"Entity '{entity}' is limited to {PerSecond(options.Value.BytesPerSecond, options.Value.DefaultBytesPerSecond, entity):N0} bytes/s", bytesWait);
    }

    /// <summary>Waits until the entity may send <paramref name="bytes"/> more (an upload's next chunk).</summary>
    public async Task ThrottleBytesAsync(string entity, int bytes, CancellationToken cancellation)
    {
        while (TryTake(_bytes, entity, bytes, options.Value.BytesPerSecond, options.Value.DefaultBytesPerSecond) is { } wait)
            await Task.Delay(wait, cancellation);
    }

    /// <summary>Null when taken (or unlimited); otherwise how long to wait.</summary>
    private static TimeSpan? TryTake(ConcurrentDictionary<string, RateLimiter?> buckets, string entity, int amount, Dictionary<string, int> limits, int fallback)
    {
        if (amount == 0 || buckets.GetOrAdd(entity, _ => Create(PerSecond(limits, fallback, entity))) is not { } bucket)
            return null;
        // Something larger than the whole bucket passes once the bucket is full, and empties it.
        using var lease = bucket.AttemptAcquire(Math.Min(amount, PerSecond(limits, fallback, entity)));
        if (lease.IsAcquired)
            return null;
        return lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1);
    }

    private static RpcException Exhausted(string limit, TimeSpan retryAfter) => new(
        new Status(StatusCode.ResourceExhausted, $"{limit}; retry after {retryAfter.TotalMilliseconds:0} ms."),
        new Metadata { { "retry-after-ms", ((int)retryAfter.TotalMilliseconds).ToString(CultureInfo.InvariantCulture) } });

    private static int PerSecond(Dictionary<string, int> limits, int fallback, string entity) =>
        limits.TryGetValue(entity, out var limit) ? limit : fallback;

    private static RateLimiter? Create(int perSecond) => perSecond > 0
        ? new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = perSecond,
            TokensPerPeriod = Math.Max(1, perSecond / 10),
            ReplenishmentPeriod = TimeSpan.FromMilliseconds(100),
            QueueLimit = 0,
            AutoReplenishment = true,
        })
        : null;
}
