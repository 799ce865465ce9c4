using MassTransit;

namespace Runstream.ServiceDefaults;

public static class RabbitMqConnectionExtensions
{
    /// <summary>The bus's broker: the connection string's node, or its cluster's nodes.</summary>
    public static void UseBroker(this IRabbitMqBusFactoryConfigurator rabbitMq, RabbitMqConnection connection, bool publisherConfirmation = false) =>
        rabbitMq.Host(connection.First, host =>
        {
            host.PublisherConfirmation = publisherConfirmation;
            if (connection.Nodes.Count > 1)
                host.UseCluster(cluster =>
                {
                    foreach (var node in connection.Nodes)
                        cluster.Node(node);
                });
        });
}
