using Runstream.Blobs;

namespace Runstream.Projections.Content;

public static class BlobCollectorRegistration
{
    /// <summary>The blob volume's collector of orphaned content (<see cref="BlobCollector"/>).</summary>
    public static IHostApplicationBuilder AddBlobCollector(this IHostApplicationBuilder builder)
    {
        builder.AddBlobStore();
        builder.Services.AddSingleton(builder.Configuration.GetSection("Blobs").Get<BlobCollectorOptions>() ?? new BlobCollectorOptions());
        // One instance: the timer's, and the retention purge's for the content of a purged run.
        builder.Services.AddSingleton<BlobCollector>();
        builder.Services.AddHostedService(services => services.GetRequiredService<BlobCollector>());
        return builder;
    }
}
