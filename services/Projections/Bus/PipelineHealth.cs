namespace Runstream.Projections.Bus;

/// <summary>
/// Whether this instance has read what its queues hold. After a database outage the queues hold
/// minutes of frames and heartbeats; until they are read, a run's last sign of life in the read
/// model is old, and calling it crashed then would be wrong. The consumers report each batch they
/// store (and how long its oldest message waited since Ingest received it) and each failure; the
/// crash detector judges only when the pipeline is caught up and has stayed so for a while.
/// </summary>
public sealed class PipelineHealth(TimeProvider clock)
{
    private readonly Lock _lock = new();
    private readonly HashSet<string> _failing = [];
    // Behind at start: what waited in the queues while this instance was down is not read yet.
    private DateTimeOffset _lastBehind = clock.GetUtcNow();

    /// <summary>A consumer stored a batch whose oldest message Ingest received at <paramref name="oldestReceivedAt"/>.</summary>
    public void Stored(string consumer, DateTimeOffset oldestReceivedAt, TimeSpan tolerance)
    {
        var now = clock.GetUtcNow();
        lock (_lock)
        {
            _failing.Remove(consumer);
            if (now - oldestReceivedAt > tolerance)
                _lastBehind = now;
        }
    }

    /// <summary>A consumer could not store a batch; it retries.</summary>
    public void Failed(string consumer)
    {
        var now = clock.GetUtcNow();
        lock (_lock)
        {
            _failing.Add(consumer);
            _lastBehind = now;
        }
    }

    /// <summary>No consumer is failing, and none has been behind for <paramref name="settle"/>.</summary>
    public bool IsCaughtUp(TimeSpan settle)
    {
        var now = clock.GetUtcNow();
        lock (_lock)
            return _failing.Count == 0 && now - _lastBehind >= settle;
    }
}
