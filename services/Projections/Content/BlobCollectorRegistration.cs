using Runstream.Blobs;

namespace Runstream.Projections.Content;

public static class BlobCollectorRegistration
{
    /// <summary>The blob volume's collector of orphaned content (<see cref="BlobCollector"/>).</summary>
    public static IHostApplicationBuilder AddBlobCollector(this IHostApplicationBuilder builder)
    {
        builder.AddBlobStore();
        builder.Services.AddSingleton(builder.Configuration.GetSection("Blobs").Get<BlobCollectorOptions>() ?? new BlobCollectorOptions());
        builder.Services.AddHostedService<BlobCollector>();
        return builder;
    }
}
