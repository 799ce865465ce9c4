namespace Runstream.Store.Security;

/// <summary>
/// Watches the key of a long-lived call (a training job's frame stream, a dashboard's event stream):
/// the key is checked again every <see cref="Interval"/>, and <see cref="Revoked"/> fires once it no longer
/// holds. With the validator's cache that is within <c>CacheFor + Interval</c> of the revocation.
/// </summary>
public sealed class KeyWatch : IDisposable
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    private readonly CancellationTokenSource _revoked = new();
    private readonly CancellationTokenSource _stop = new();

    public KeyWatch(ApiKeyValidator keys, string token) => _ = WatchAsync(keys, token);

    /// <summary>Cancelled when the key has been revoked (or deleted).</summary>
    public CancellationToken Revoked => _revoked.Token;

    public bool IsRevoked => _revoked.IsCancellationRequested;

    private async Task WatchAsync(ApiKeyValidator keys, string token)
    {
        try
        {
            using var timer = new PeriodicTimer(Interval);
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                try
                {
                    if (await keys.EntityOfAsync(token, _stop.Token) is null)
                    {
                        _revoked.Cancel();
                        return;
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // The key cannot be checked now (the database is away): the call goes on, and the next tick asks again.
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The call ended.
        }
    }

    public void Dispose() => _stop.Cancel();
}
