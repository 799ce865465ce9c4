using Grpc.Core;
using Runstream.Store.Security;

namespace Runstream.Ingest.Security;

/// <summary>
/// A call's request stream, read only while the call's key holds: once it is revoked, the read in
/// progress (or the next) ends the call with UNAUTHENTICATED. Frames acknowledged before stay acknowledged.
/// </summary>
public sealed class KeyWatchedReader<T>(IAsyncStreamReader<T> inner, KeyWatch watch) : IAsyncStreamReader<T>
{
    public T Current => inner.Current;

    public async Task<bool> MoveNext(CancellationToken cancellationToken)
    {
        if (watch.IsRevoked)
            throw Revoked();
        using var both = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, watch.Revoked);
        try
        {
            return await inner.MoveNext(both.Token);
        }
        catch (Exception e) when (watch.IsRevoked && !cancellationToken.IsCancellationRequested && e is not RpcException { StatusCode: StatusCode.Unauthenticated })
        {
            throw Revoked();
        }
    }

    private static RpcException Revoked() =>
        new(new Status(StatusCode.Unauthenticated, "The API key was revoked while the stream was open; the stream ends here."));
}
