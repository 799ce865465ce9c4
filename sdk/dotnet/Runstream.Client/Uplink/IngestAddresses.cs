using Grpc.Core;
using Grpc.Net.Client;
using Grpc.Net.Client.Balancer;
using Grpc.Net.Client.Configuration;

namespace Runstream.Client.Uplink;

/// <summary>
/// Ingest's address, or several: <c>http://ingest-a:5101,http://ingest-b:5101</c>. With several, the
/// channel balances calls round-robin over the instances that answer, and a run whose instance goes
/// away reconnects to another, which is how a job reaches a cluster without a load balancer in front.
/// </summary>
internal static class IngestAddresses
{
    public static GrpcChannel Channel(string urls, GrpcChannelOptions options)
    {
        var addresses = urls.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(url => new Uri(url)).ToArray();
        if (addresses.Length == 0)
            throw new ArgumentException("The Ingest URL is empty.", nameof(urls));
        if (addresses.Length == 1)
            return GrpcChannel.ForAddress(addresses[0], options);
        if (addresses.Select(address => address.Scheme).Distinct().Count() > 1)
            throw new ArgumentException($"The Ingest URLs '{urls}' mix http and https; use one scheme for all.", nameof(urls));

        var secure = addresses[0].Scheme == Uri.UriSchemeHttps;
        options.Credentials = secure ? ChannelCredentials.SecureSsl : ChannelCredentials.Insecure;
        options.ServiceConfig = new ServiceConfig { LoadBalancingConfigs = { new RoundRobinConfig() } };
        // Each channel (a run's) gets the list in its own order: round-robin starts at the first address,
        // so every run's first call, and then its stream, would otherwise go to the same instances.
        var shuffled = addresses.ToArray();
        Random.Shared.Shuffle(shuffled);
        options.ServiceProvider = new StaticResolverServices(new StaticResolverFactory(_ =>
            shuffled.Select(address => new BalancerAddress(address.Host, address.Port))));
        return GrpcChannel.ForAddress("static:///ingest", options);
    }

    /// <summary>What the channel asks its service provider for: the resolver of the static list, nothing else.</summary>
    private sealed class StaticResolverServices(ResolverFactory resolver) : IServiceProvider
    {
        public object? GetService(Type serviceType) =>
            serviceType == typeof(ResolverFactory) ? resolver
            : serviceType == typeof(IEnumerable<ResolverFactory>) ? new[] { resolver }
            : null;
    }
}
