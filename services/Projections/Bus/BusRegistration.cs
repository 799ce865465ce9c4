using MassTransit;
using Runstream.ServiceDefaults;
using Runstream.Contracts.Bus;
using Runstream.Projections.Runs.ApplyingFrames;
using Runstream.Projections.Runs.DetectingCrashes;

namespace Runstream.Projections.Bus;

public sealed class FrameConsumerOptions
{
    public string Queue { get; set; } = RunFrameQueue.DefaultName;
    /// <summary>Partitions of the frame queue, as Ingest is configured (Ingest:Partitions).</summary>
    public int Partitions { get; set; } = 1;
    /// <summary>The partition this instance consumes, 0 to Partitions - 1 (in Kubernetes, the StatefulSet pod's index).</summary>
    public int Partition { get; set; }
    public string HeartbeatQueue { get; set; } = RunFrameQueue.DefaultHeartbeatName;
    /// <summary>Frames applied in one transaction at most.</summary>
    public int BatchSize { get; set; } = 200;
    /// <summary>How long a batch waits to fill before it is applied anyway.</summary>
    public TimeSpan BatchWait { get; set; } = TimeSpan.FromMilliseconds(20);

    /// <summary>
    /// Waits between attempts at a failing batch before it goes to the error queue: about two
    /// minutes in all by default, enough to ride out a database restart.
    /// </summary>
    public TimeSpan[] RetryIntervals { get; set; } =
        [.. new[] { 100, 500, 1000, 2000, 5000, 10000, 15000, 30000, 30000, 30000 }.Select(ms => TimeSpan.FromMilliseconds(ms))];
}

public static class BusRegistration
{
    public static IHostApplicationBuilder AddRunFrameConsumer(this IHostApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection("Frames").Get<FrameConsumerOptions>() ?? new FrameConsumerOptions();
        if (options.Partition < 0 || options.Partition >= Math.Max(1, options.Partitions))
            throw new InvalidOperationException($"Frames:Partition is {options.Partition}; it must be between 0 and Frames:Partitions - 1 ({options.Partitions - 1}).");
        var rabbit = builder.Configuration.GetConnectionString("RabbitMq")
            ?? throw new InvalidOperationException("ConnectionStrings:RabbitMq is not set.");

        builder.Services.AddMassTransit(bus =>
        {
            bus.DisableUsageTelemetry();
            // One batch at a time per instance, so the frames of a run are never split across concurrent transactions.
            bus.AddConsumer<RunFrameConsumer>(consumer => consumer.Options<BatchOptions>(batch => batch
                .SetMessageLimit(options.BatchSize)
                .SetTimeLimit(options.BatchWait)
                .SetConcurrencyLimit(1)));
            bus.AddConsumer<RunHeartbeatConsumer>();
            bus.UsingRabbitMq((context, rabbitMq) =>
            {
                rabbitMq.Host(new Uri(rabbit));
                rabbitMq.ReceiveEndpoint(RunFrameQueue.PartitionQueue(options.Queue, options.Partitions, options.Partition), endpoint =>
                {
                    endpoint.UseQuorumQueueWhenConfigured(builder.Configuration);
                    endpoint.PrefetchCount = options.BatchSize * 2;
                    endpoint.ConcurrentMessageLimit = options.BatchSize;
                    // Rides out a database restart; a batch that keeps failing lands in the _error queue
                    // with its exception, never silently dropped. (A frame that cannot be read or stored
                    // is recorded as rejected by the consumer instead.)
                    endpoint.UseMessageRetry(retry => retry.Intervals(options.RetryIntervals));
                    endpoint.ConfigureConsumer<RunFrameConsumer>(context);
                });
                rabbitMq.ReceiveEndpoint(options.HeartbeatQueue, endpoint =>
                {
                    endpoint.UseQuorumQueueWhenConfigured(builder.Configuration);
                    endpoint.UseMessageRetry(retry => retry.Intervals(100, 500, 1000));
                    endpoint.ConfigureConsumer<RunHeartbeatConsumer>(context);
                });
            });
        });
        builder.Services.Configure<CrashDetectionOptions>(builder.Configuration.GetSection("Runs"));
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddHostedService<CrashDetector>();
        builder.Services.AddHostedService(services => new QueueDepthGauge(rabbit,
            RunFrameQueue.PartitionQueue(options.Queue, options.Partitions, options.Partition), services.GetRequiredService<ILogger<QueueDepthGauge>>()));
        return builder;
    }
}
