using Grpc.Core;
using Runstream.Store.Security;

namespace Runstream.Ingest.Security;

/// <summary>
/// A call's request stream, read only while the call's key holds: once it is revoked, the read in
/// progress (or the next) ends the call with UNAUTHENTICATED. Frames acknowledged before stay acknowledged.
/// </summary>
public sealed class KeyWatchedReader<T>(IAsyncStreamReader<T> inner, KeyWatch watch) : IAsyncStreamReader<T>, IDisposable
{
    // One linked token for the reads of a stream (they all pass the call's token), not one per frame.
    private CancellationToken _linkedFor;
    private CancellationTokenSource? _linked;

    public T Current => inner.Current;

    public async Task<bool> MoveNext(CancellationToken cancellationToken)
    {
        if (watch.IsRevoked)
            throw Revoked();
        if (_linked is null || _linkedFor != cancellationToken)
        {
            _linked?.Dispose();
            _linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, watch.Revoked);
            _linkedFor = cancellationToken;
        }
        try
        {
            return await inner.MoveNext(_linked.Token);
        }
        catch (Exception e) when (watch.IsRevoked && !cancellationToken.IsCancellationRequested && e is not RpcException { StatusCode: StatusCode.Unauthenticated })
        {
            throw Revoked();
        }
    }

    public void Dispose() => _linked?.Dispose();

    private static RpcException Revoked() =>
        new(new Status(StatusCode.Unauthenticated, "The API key was revoked while the stream was open; the stream ends here."));
}
