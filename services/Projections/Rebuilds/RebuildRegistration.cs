namespace Runstream.Projections.Rebuilds;

public static class RebuildRegistration
{
    /// <summary>Rebuilding read models from the event store on request (<see cref="RebuildService"/>); needs the async daemon.</summary>
    public static IHostApplicationBuilder AddRebuilds(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<RunStreamRebuilder>();
        builder.Services.AddSingleton<DaemonRebuilder>();
        builder.Services.AddHostedService<RebuildService>();
        return builder;
    }
}
