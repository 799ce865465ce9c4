using Microsoft.Extensions.Configuration;
using RabbitMQ.Client;

namespace Runstream.ServiceDefaults;

/// <summary>
/// <c>ConnectionStrings:RabbitMq</c>: one broker, <c>amqp://user:password@host:5672/vhost</c>, or the nodes of
/// a cluster listed in its authority, <c>amqp://user:password@node1:5672,node2:5672,node3:5672/vhost</c>.
/// With several nodes, a connection goes to any of them and, when its node goes away, to another; quorum
/// queues (<c>RabbitMq:QuorumQueues</c>) keep the messages through the loss of a node.
/// </summary>
public sealed record RabbitMqConnection(Uri First, IReadOnlyList<string> Nodes)
{
    public static RabbitMqConnection From(IConfiguration configuration) =>
        Parse(configuration.GetConnectionString("RabbitMq") ?? throw new InvalidOperationException("ConnectionStrings:RabbitMq is not set."));

    public static RabbitMqConnection Parse(string connectionString)
    {
        var schemeEnd = connectionString.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd < 0)
            throw new FormatException($"ConnectionStrings:RabbitMq '{Redacted(connectionString)}' is not an amqp:// or amqps:// URI.");
        var authorityStart = schemeEnd + 3;
        var pathStart = connectionString.IndexOf('/', authorityStart);
        var authority = pathStart < 0 ? connectionString[authorityStart..] : connectionString[authorityStart..pathStart];
        var path = pathStart < 0 ? "/" : connectionString[pathStart..];
        var at = authority.LastIndexOf('@');
        var userInfo = at < 0 ? "" : authority[..(at + 1)];
        var nodes = authority[(at + 1)..].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (nodes.Length == 0)
            throw new FormatException($"ConnectionStrings:RabbitMq '{Redacted(connectionString)}' names no host.");
        var first = new Uri($"{connectionString[..authorityStart]}{userInfo}{nodes[0]}{path}");
        var defaultPort = first.Scheme == "amqps" ? 5671 : 5672;
        return new RabbitMqConnection(first, [.. nodes.Select(node => node.Contains(':') ? node : $"{node}:{defaultPort}")]);
    }

    /// <summary>The nodes as RabbitMQ.Client endpoints, for clients outside MassTransit.</summary>
    public IList<AmqpTcpEndpoint> Endpoints() =>
        [.. Nodes.Select(node => new Uri($"{First.Scheme}://{node}")).Select(node => new AmqpTcpEndpoint(node.Host, node.Port,
            new SslOption(node.Host, enabled: First.Scheme == "amqps")))];

    private static string Redacted(string connectionString) =>
        connectionString.IndexOf('@') is var at and > 0 ? "…" + connectionString[at..] : connectionString;
}
