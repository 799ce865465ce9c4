namespace Runstream.Projections.Retention;

/// <summary>Retention settings (<c>Retention:*</c>).</summary>
public sealed class RetentionOptions
{
    /// <summary>How long a soft-deleted run can still be restored before it is purged for good.</summary>
    public TimeSpan DeletedRunsKeptFor { get; set; } = TimeSpan.FromDays(30);

    /// <summary>How often runs due for purging are looked for; zero turns the timed purge off (admin purges still run).</summary>
    public TimeSpan CheckEvery { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How often purge requests from the admin API are looked for.</summary>
    public TimeSpan RequestsEvery { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a purge waits for the async projections to have applied the run's events.</summary>
    public TimeSpan CatchUpWait { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>A soft-deleted run (moved-away stubs included) is due once it has been deleted for <see cref="DeletedRunsKeptFor"/>.</summary>
    public static bool IsDue(DateTimeOffset? deletedAt, DateTimeOffset now, TimeSpan keptFor) =>
        deletedAt is { } deleted && deleted <= now - keptFor;
}
