using MassTransit;
using Runstream.Contracts.Bus;
using Runstream.Projections.Runs.ApplyingFrames;
using Runstream.Projections.Runs.DetectingCrashes;

namespace Runstream.Projections.Bus;

public sealed class FrameConsumerOptions
{
    public string Queue { get; set; } = RunFrameQueue.DefaultName;
    public string HeartbeatQueue { get; set; } = RunFrameQueue.DefaultHeartbeatName;
    public int PrefetchCount { get; set; } = 64;
    /// <summary>Frames of different runs are applied in parallel; frames of one run one at a time, in order.</summary>
    public int ConcurrentRuns { get; set; } = 16;
}

public static class BusRegistration
{
    public static IHostApplicationBuilder AddRunFrameConsumer(this IHostApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection("Frames").Get<FrameConsumerOptions>() ?? new FrameConsumerOptions();
        var rabbit = builder.Configuration.GetConnectionString("RabbitMq")
            ?? throw new InvalidOperationException("ConnectionStrings:RabbitMq is not set.");

        builder.Services.AddMassTransit(bus =>
        {
            bus.DisableUsageTelemetry();
            bus.AddConsumer<RunFrameConsumer>();
            bus.AddConsumer<RunHeartbeatConsumer>();
            bus.UsingRabbitMq((context, rabbitMq) =>
            {
                rabbitMq.Host(new Uri(rabbit));
                rabbitMq.ReceiveEndpoint(options.Queue, endpoint =>
                {
                    endpoint.PrefetchCount = options.PrefetchCount;
                    endpoint.ConcurrentMessageLimit = options.ConcurrentRuns;
                    // Rides out a database restart (about two minutes of retries); a frame that keeps
                    // failing lands in the _error queue with its exception, never silently dropped.
                    // (A frame that cannot be read is recorded as rejected by the consumer instead.)
                    endpoint.UseMessageRetry(retry => retry.Intervals(100, 500, 1000, 2000, 5000, 10000, 15000, 30000, 30000, 30000));
                    endpoint.ConfigureConsumer<RunFrameConsumer>(context, consumer =>
                        consumer.Message<RunFrameReceived>(message =>
                            message.UsePartitioner(options.ConcurrentRuns, frame => $"{frame.Message.Entity}/{frame.Message.Project}/{frame.Message.RunId}")));
                });
                rabbitMq.ReceiveEndpoint(options.HeartbeatQueue, endpoint =>
                {
                    endpoint.UseMessageRetry(retry => retry.Intervals(100, 500, 1000));
                    endpoint.ConfigureConsumer<RunHeartbeatConsumer>(context);
                });
            });
        });
        builder.Services.Configure<CrashDetectionOptions>(builder.Configuration.GetSection("Runs"));
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddHostedService<CrashDetector>();
        return builder;
    }
}
