namespace Runstream.Projections.Retention;

public static class RetentionRegistration
{
    /// <summary>The purge of soft-deleted runs (<see cref="RetentionService"/>); needs the blob collector (AddBlobCollector).</summary>
    public static IHostApplicationBuilder AddRetention(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton(builder.Configuration.GetSection("Retention").Get<RetentionOptions>() ?? new RetentionOptions());
        builder.Services.AddSingleton<RunPurger>();
        builder.Services.AddHostedService<RetentionService>();
        return builder;
    }
}
