using System.Collections.Concurrent;
using System.Threading.RateLimiting;
using Grpc.Core;
using Microsoft.Extensions.Options;

namespace Runstream.Ingest.Security;

public sealed class RateLimitOptions
{
    /// <summary>Metric points per second an entity may send, by entity; entities not listed use <see cref="DefaultPointsPerSecond"/>.</summary>
    public Dictionary<string, int> PointsPerSecond { get; set; } = [];

    /// <summary>0: no limit.</summary>
    public int DefaultPointsPerSecond { get; set; }
}

/// <summary>
/// Per-entity token buckets on metric points. Over the limit, the stream ends with
/// RESOURCE_EXHAUSTED and a retry-after; the SDK backs off and re-sends what was not acknowledged,
/// so a limited client loses nothing.
/// </summary>
public sealed class EntityRateLimits(IOptions<RateLimitOptions> options)
{
    private readonly ConcurrentDictionary<string, RateLimiter?> _limiters = new();

    public void Take(string entity, int points)
    {
        if (points == 0 || _limiters.GetOrAdd(entity, Create) is not { } limiter)
            return;
        using var lease = limiter.AttemptAcquire(Math.Min(points, PerSecond(entity)));
        if (lease.IsAcquired)
            return;
        var retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1);
        throw new RpcException(
            new Status(StatusCode.ResourceExhausted, $"Entity '{entity}' is limited to {PerSecond(entity):N0} points/s; retry after {retryAfter.TotalMilliseconds:0} ms."),
            new Metadata { { "retry-after-ms", ((int)retryAfter.TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture) } });
    }

    private int PerSecond(string entity) =>
        options.Value.PointsPerSecond.TryGetValue(entity, out var limit) ? limit : options.Value.DefaultPointsPerSecond;

    private RateLimiter? Create(string entity) => PerSecond(entity) is var perSecond and > 0
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
