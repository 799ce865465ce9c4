using MassTransit;
using Microsoft.Extensions.Configuration;

namespace Runstream.ServiceDefaults;

public static class RabbitMqQueues
{
    /// <summary>
    /// With <c>RabbitMq:QuorumQueues</c> (clusters), every queue MassTransit declares is a quorum queue:
    /// replicated by Raft, so losing one broker node loses no confirmed message. Ingest and
    /// Projections both declare the frame queues, so both must agree on the type.
    /// </summary>
    public static void UseQuorumQueuesWhenConfigured(this IRabbitMqBusFactoryConfigurator rabbitMq, IConfiguration configuration)
    {
        if (configuration.GetValue<bool>("RabbitMq:QuorumQueues"))
            rabbitMq.SetQueueArgument("x-queue-type", "quorum");
    }
}
