using MassTransit;
using Microsoft.Extensions.Configuration;

namespace Runstream.ServiceDefaults;

/// <summary>
/// With <c>RabbitMq:QuorumQueues</c> (clusters), the frame and heartbeat queues are quorum queues:
/// replicated by Raft, so losing one broker node loses no confirmed message. Ingest (sending) and
/// Projections (receiving) both declare them, and must agree on the type: RabbitMQ refuses to
/// declare an existing queue with other arguments.
/// </summary>
public static class RabbitMqQueues
{
    public static bool UseQuorumQueues(this IConfiguration configuration) => configuration.GetValue<bool>("RabbitMq:QuorumQueues");

    /// <summary>The send address of a queue on the bus's broker, declared as a quorum queue when configured.</summary>
    public static Uri QueueAddress(this IBus bus, IConfiguration configuration, string queue) =>
        configuration.UseQuorumQueues() ? new Uri(bus.Address, $"/{queue}?quorum=true") : new Uri($"queue:{queue}");

    /// <summary>Makes a receive endpoint's queue a quorum queue when configured.</summary>
    public static void UseQuorumQueueWhenConfigured(this IRabbitMqReceiveEndpointConfigurator endpoint, IConfiguration configuration)
    {
        if (configuration.UseQuorumQueues())
            endpoint.SetQuorumQueue();
    }
}
