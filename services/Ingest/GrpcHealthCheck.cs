using Grpc.Health.V1;
using Grpc.Net.Client;

namespace Runstream.Ingest;

/// <summary>
/// The image's health check for Ingest (<see cref="ServiceDefaults.HealthCheckCommand"/>): Ingest serves
/// HTTP/2 only, so it is asked the way the kubelet's grpc probe asks, through the grpc.health.v1
/// Health service, which reports the readiness checks.
/// </summary>
public static class GrpcHealthCheck
{
    public static async Task<string?> ServingAsync(Uri url, HttpMessageHandler handler, CancellationToken cancellationToken)
    {
        using var channel = GrpcChannel.ForAddress(url, new GrpcChannelOptions { HttpHandler = handler, DisposeHttpClient = false });
        var reply = await new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest(), cancellationToken: cancellationToken);
        return reply.Status == HealthCheckResponse.Types.ServingStatus.Serving ? null : $"gRPC health status {reply.Status}";
    }
}
