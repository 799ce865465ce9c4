namespace Runstream.Ingest.Security;

/// <summary>
/// Bytes per second for one entity, as a balance that refills at the rate up to one second's worth.
/// Anything is taken while the balance is above zero, whatever its size, and may leave the balance
/// negative: a 16 MiB frame against a 1 MiB/s budget is accepted, and the next waits about 16 s. So a
/// large message is never refused for being larger than the bucket, and the rate still holds.
/// </summary>
public sealed class ByteBudget(long bytesPerSecond, TimeProvider clock)
{
    private readonly Lock _lock = new();
    private double _balance = bytesPerSecond;
    private long _refilledAt = clock.GetTimestamp();

    public long BytesPerSecond => bytesPerSecond;

    /// <summary>Takes <paramref name="bytes"/> and returns null, or returns how long to wait before the balance is above zero again.</summary>
    public TimeSpan? TryTake(long bytes)
    {
        lock (_lock)
        {
            var now = clock.GetTimestamp();
            _balance = Math.Min(bytesPerSecond, _balance + clock.GetElapsedTime(_refilledAt, now).TotalSeconds * bytesPerSecond);
            _refilledAt = now;
            if (_balance <= 0)
                return TimeSpan.FromSeconds(Math.Max(0.001, (1 - _balance) / bytesPerSecond));
            _balance -= bytes;
            return null;
        }
    }
}
