using System.Collections.Concurrent;
using System.Globalization;
using System.Threading.RateLimiting;
using Grpc.Core;
using Microsoft.Extensions.Options;

namespace Runstream.Ingest.Security;

/// <summary>
/// Per-entity limits on what costs: metric points, and bytes of every frame and upload. A frame over
/// a limit ends the stream with RESOURCE_EXHAUSTED and a retry-after; the SDK backs off and re-sends
/// what was not acknowledged, so a limited client loses nothing. Uploads over the byte rate are
/// slowed down rather than refused.
/// </summary>
public sealed class EntityRateLimits(IOptions<RateLimitOptions> options, TimeProvider clock)
{
    private readonly ConcurrentDictionary<string, RateLimiter?> _points = new();
    private readonly ConcurrentDictionary<string, ByteBudget?> _bytes = new();

    /// <summary>Takes a frame's points and bytes from the entity's budgets, or throws RESOURCE_EXHAUSTED.</summary>
    public void Take(string entity, int points, int bytes)
    {
        if (TakeBytes(entity, bytes) is { } bytesWait)
            throw Exhausted($"Entity '{entity}' is limited to {BytesPerSecond(entity):N0} bytes/s", bytesWait);
        if (TakePoints(entity, points) is { } pointsWait)
            throw Exhausted($"Entity '{entity}' is limited to {PointsPerSecond(entity):N0} points/s", pointsWait);
    }

    /// <summary>Waits until the entity may send <paramref name="bytes"/> more (an upload's next chunk).</summary>
    public async Task ThrottleBytesAsync(string entity, int bytes, CancellationToken cancellation)
    {
        while (TakeBytes(entity, bytes) is { } wait)
            await Task.Delay(wait, clock, cancellation);
    }

    private TimeSpan? TakeBytes(string entity, int bytes) =>
        bytes > 0 && _bytes.GetOrAdd(entity, e => BytesPerSecond(e) is var limit and > 0 ? new ByteBudget(limit, clock) : null) is { } budget
            ? budget.TryTake(bytes)
            : null;

    /// <summary>Null when taken (or unlimited); otherwise how long to wait.</summary>
    private TimeSpan? TakePoints(string entity, int points)
    {
        if (points == 0 || _points.GetOrAdd(entity, CreatePointBucket) is not { } bucket)
            return null;
        // A frame of more points than the whole bucket passes once the bucket is full, and empties it.
        using var lease = bucket.AttemptAcquire(Math.Min(points, PointsPerSecond(entity)));
        if (lease.IsAcquired)
            return null;
        return lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1);
    }

    private static RpcException Exhausted(string limit, TimeSpan retryAfter) => new(
        new Status(StatusCode.ResourceExhausted, $"{limit}; retry after {retryAfter.TotalMilliseconds:0} ms."),
        new Metadata { { "retry-after-ms", ((int)Math.Ceiling(retryAfter.TotalMilliseconds)).ToString(CultureInfo.InvariantCulture) } });

    private int PointsPerSecond(string entity) =>
        options.Value.PointsPerSecond.TryGetValue(entity, out var limit) ? limit : options.Value.DefaultPointsPerSecond;

    private int BytesPerSecond(string entity) =>
        options.Value.BytesPerSecond.TryGetValue(entity, out var limit) ? limit : options.Value.DefaultBytesPerSecond;

    private RateLimiter? CreatePointBucket(string entity) => PointsPerSecond(entity) is var perSecond and > 0
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
