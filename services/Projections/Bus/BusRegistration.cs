using MassTransit;
using Runstream.Blobs;
using Runstream.ServiceDefaults;
using Runstream.Contracts.Bus;
using Runstream.Projections.Runs.ApplyingFrames;
using Runstream.Projections.Runs.DetectingCrashes;
using Runstream.Store.Metrics;

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

    /// <summary>Payload bytes applied in one transaction at most, so large frames are applied a few at a time.</summary>
    public long MaxTransactionBytes { get; set; } = 32 * 1024 * 1024;

    /// <summary>The first wait before storing a failed batch again; it doubles up to <see cref="RetryMaxInterval"/>, without end.</summary>
    public TimeSpan RetryMinInterval { get; set; } = TimeSpan.FromMilliseconds(100);
    public TimeSpan RetryMaxInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>A batch whose oldest message waited longer than this since Ingest received it means the queues are behind.</summary>
    public TimeSpan CaughtUpTolerance { get; set; } = TimeSpan.FromSeconds(2);
}

public static class BusRegistration
{
    public static IHostApplicationBuilder AddRunFrameConsumer(this IHostApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection("Frames").Get<FrameConsumerOptions>() ?? new FrameConsumerOptions();
        if (options.Partition < 0 || options.Partition >= Math.Max(1, options.Partitions))
            throw new InvalidOperationException($"Frames:Partition is {options.Partition}; it must be between 0 and Frames:Partitions - 1 ({options.Partitions - 1}).");
        var rabbit = RabbitMqConnection.From(builder.Configuration);

        builder.Services.AddSingleton(options);
        builder.AddSpilledFrames();
        builder.Services.AddSingleton<PipelineHealth>();
        builder.Services.AddSingleton<StorageRetry>();
        builder.Services.AddSingleton<MetricStatisticsReader>();
        builder.Services.AddSingleton<ForksAndRewinds>();
        builder.Services.AddMassTransit(bus =>
        {
            bus.DisableUsageTelemetry();
            // One batch at a time per instance, so the frames of a run are never split across concurrent transactions.
            bus.AddConsumer<RunFrameConsumer>(consumer => consumer.Options<BatchOptions>(batch => batch
                .SetMessageLimit(options.BatchSize)
                .SetTimeLimit(options.BatchWait)
                .SetConcurrencyLimit(1)));
            // Heartbeats of many runs are stored together, the latest per run: a queue of them left by an outage is read in seconds.
            bus.AddConsumer<RunHeartbeatConsumer>(consumer => consumer.Options<BatchOptions>(batch => batch
                .SetMessageLimit(options.BatchSize)
                .SetTimeLimit(options.BatchWait)
                .SetConcurrencyLimit(1)));
            bus.UsingRabbitMq((context, rabbitMq) =>
            {
                rabbitMq.UseBroker(rabbit);
                // No MassTransit retry and no _error queue for failures to store: the consumers retry
                // until the database takes the batch (StorageRetry), and record data it can never hold as rejected.
                rabbitMq.ReceiveEndpoint(RunFrameQueue.PartitionQueue(options.Queue, options.Partitions, options.Partition), endpoint =>
                {
                    endpoint.UseQuorumQueueWhenConfigured(builder.Configuration);
                    endpoint.PrefetchCount = options.BatchSize * 2;
                    endpoint.ConcurrentMessageLimit = options.BatchSize;
                    endpoint.ConfigureConsumer<RunFrameConsumer>(context);
                });
                rabbitMq.ReceiveEndpoint(options.HeartbeatQueue, endpoint =>
                {
                    endpoint.UseQuorumQueueWhenConfigured(builder.Configuration);
                    endpoint.PrefetchCount = options.BatchSize * 2;
                    endpoint.ConcurrentMessageLimit = options.BatchSize;
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
