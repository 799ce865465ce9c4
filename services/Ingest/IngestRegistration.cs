using MassTransit;
using Runstream.ServiceDefaults;
using Runstream.Blobs;
using Runstream.Ingest.Frames;
using Runstream.Store;

namespace Runstream.Ingest;

public sealed class IngestOptions
{
    /// <summary>Queue the frames are sent to; Projections consumes it.</summary>
    public string Queue { get; set; } = Contracts.Bus.RunFrameQueue.DefaultName;

    /// <summary>Queue the heartbeats are sent to.</summary>
    public string HeartbeatQueue { get; set; } = Contracts.Bus.RunFrameQueue.DefaultHeartbeatName;

    /// <summary>Partitions of the frame queue (Projections instances, one per partition); 1 means one shared queue.</summary>
    public int Partitions { get; set; } = 1;

    /// <summary>Frames of one stream that may wait for their broker confirm at once.</summary>
    public int MaxFramesInFlight { get; set; } = 64;

    /// <summary>How long a frame may wait for the broker's confirm before the stream ends with UNAVAILABLE.</summary>
    public TimeSpan ConfirmTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Frames larger than this travel through the blob volume rather than in the broker's message.</summary>
    public int SpillFrameBytes { get; set; } = 256 * 1024;

    /// <summary>The largest file one upload may carry.</summary>
    public long MaxUploadBytes { get; set; } = 5L * 1024 * 1024 * 1024;

    /// <summary>How long a resuming client's <c>GetRun</c> waits for the run's queued frames to be applied.</summary>
    public TimeSpan ProgressWait { get; set; } = TimeSpan.FromSeconds(60);
}

public static class IngestRegistration
{
    /// <summary>
    /// gRPC's own message limit, above <see cref="FrameValidator.MaxFrameBytes"/> so that a frame over the
    /// frame limit gets a frame error and the stream goes on, rather than the whole stream failing.
    /// </summary>
    private const int MaxMessageBytes = 64 * 1024 * 1024;

    public static IHostApplicationBuilder AddIngest(this IHostApplicationBuilder builder)
    {
        builder.Services.Configure<IngestOptions>(builder.Configuration.GetSection("Ingest"));
        builder.Services.AddGrpc(grpc =>
        {
            grpc.MaxReceiveMessageSize = MaxMessageBytes;
            grpc.Interceptors.Add<Security.ApiKeyInterceptor>();
        });
        // The gRPC health service reports the same checks as /health/ready.
        builder.Services.AddGrpcHealthChecks();
        builder.AddBlobStore();
        builder.AddSpilledFrames();
        // Ingest looks up where a run stands for clients that resume it (and clears its probe's answer).
        builder.AddRunstreamStore(runAsyncProjections: false);
        builder.Services.AddScoped<Runs.RunProgressLookup>();
        builder.Services.AddScoped<Content.ArtifactReader>();

        var rabbit = RabbitMqConnection.From(builder.Configuration);
        builder.Services.AddMassTransit(bus =>
        {
            bus.DisableUsageTelemetry();
            bus.UsingRabbitMq((_, rabbitMq) =>
            {
                // Sends complete only once the broker has confirmed the persistent message.
                rabbitMq.UseBroker(rabbit, publisherConfirmation: true);
            });
        });
        builder.Services.AddSingleton<FrameSender>();
        builder.Services.Configure<Security.RateLimitOptions>(builder.Configuration.GetSection("Ingest:RateLimits"));
        builder.Services.AddSingleton<Security.EntityRateLimits>();
        builder.Services.Configure<Content.StorageQuotaOptions>(builder.Configuration.GetSection("Ingest:Quotas"));
        builder.Services.AddSingleton<Content.ContentClaims>();
        builder.Services.AddSingleton<Content.ArtifactContent>();
        builder.Services.AddSingleton<Content.MediaContent>();
        return builder;
    }

    public static WebApplication MapIngest(this WebApplication app)
    {
        app.MapGrpcService<IngestService>();
        app.MapGrpcHealthChecksService();
        return app;
    }
}
