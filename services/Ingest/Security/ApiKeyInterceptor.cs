using Grpc.Core;
using Grpc.Core.Interceptors;
using Runstream.Store.Security;

namespace Runstream.Ingest.Security;

/// <summary>
/// Every call needs <c>authorization: Bearer &lt;key&gt;</c> metadata; the key's entity is where the
/// call's runs live. UNAUTHENTICATED says what is missing and nothing about other entities. The
/// gRPC health service alone answers without a key. Streams that clients send on (frames, uploads)
/// are watched: a key revoked while one is open ends it within seconds.
/// </summary>
public sealed class ApiKeyInterceptor(ApiKeyValidator keys) : Interceptor
{
    private const string EntityKey = "runstream.entity";
    private const string HealthService = "/grpc.health.v1.Health/";

    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        await AuthenticateAsync(context);
        return await continuation(request, context);
    }

    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        using var watch = new KeyWatch(keys, await AuthenticateAsync(context));
        using var watched = new KeyWatchedReader<TRequest>(requestStream, watch);
        return await continuation(watched, context);
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        await AuthenticateAsync(context);
        await continuation(request, responseStream, context);
    }

    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        using var watch = new KeyWatch(keys, await AuthenticateAsync(context));
        using var watched = new KeyWatchedReader<TRequest>(requestStream, watch);
        await continuation(watched, responseStream, context);
    }

    /// <summary>The entity of the call's API key (set by the interceptor).</summary>
    public static string EntityOf(ServerCallContext context) => (string)context.UserState[EntityKey];

    /// <summary>Checks the call's key and returns it (health calls, which need none, return "").</summary>
    private async Task<string> AuthenticateAsync(ServerCallContext context)
    {
        // The kubelet's gRPC probes carry no key, and health says nothing about anyone's data.
        if (context.Method.StartsWith(HealthService, StringComparison.Ordinal))
            return "";
        var header = context.RequestHeaders.GetValue("authorization");
        if (header is null || !header.StartsWith("Bearer ", StringComparison.Ordinal))
            throw new RpcException(new Status(StatusCode.Unauthenticated, "Send an API key: metadata 'authorization: Bearer <key>' (the SDKs read RUNSTREAM_API_KEY)."));
        var token = header["Bearer ".Length..].Trim();
        KeyCheck check;
        try
        {
            check = await keys.CheckAsync(token, context.GetHttpContext().Connection.RemoteIpAddress, context.CancellationToken);
        }
        catch (Exception e) when (e is Npgsql.NpgsqlException or TimeoutException)
        {
            throw new RpcException(new Status(StatusCode.Unavailable, "The API key cannot be checked now (the database is unavailable); retry."));
        }
        if (check.Throttled)
        {
            var retryAfterMs = (int)Math.Ceiling(check.RetryAfter.TotalMilliseconds);
            throw new RpcException(
                new Status(StatusCode.ResourceExhausted, $"Too many unknown API keys from this address; retry after {retryAfterMs} ms."),
                new Metadata { { "retry-after-ms", retryAfterMs.ToString(System.Globalization.CultureInfo.InvariantCulture) } });
        }
        if (check.Entity is null)
            throw new RpcException(new Status(StatusCode.Unauthenticated, "The API key is malformed, unknown or revoked."));
        context.UserState[EntityKey] = check.Entity;
        return token;
    }
}
