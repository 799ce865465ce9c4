namespace Runstream.Ingest.Security;

/// <summary>What an entity may send per second (<c>Ingest:RateLimits</c>); 0 means no limit.</summary>
public sealed class RateLimitOptions
{
    /// <summary>Metric points per second an entity may send, by entity; entities not listed use <see cref="DefaultPointsPerSecond"/>.</summary>
    public Dictionary<string, int> PointsPerSecond { get; set; } = [];

    public int DefaultPointsPerSecond { get; set; }

    /// <summary>
    /// Bytes per second of frames (metrics, configs, heartbeats, everything) and uploads an entity may
    /// send, by entity; entities not listed use <see cref="DefaultBytesPerSecond"/>.
    /// </summary>
    public Dictionary<string, int> BytesPerSecond { get; set; } = [];

    public int DefaultBytesPerSecond { get; set; }
}
