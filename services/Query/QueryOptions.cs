namespace Runstream.Query;

/// <summary>What one entity may cost the Query service (<c>Query:*</c>).</summary>
public sealed class QueryOptions
{
    /// <summary>Every SQL statement of Query is cancelled by PostgreSQL after this long.</summary>
    public TimeSpan StatementTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>API requests of one entity served at once; more wait in line, up to <see cref="QueuedRequestsPerEntity"/>.</summary>
    public int ConcurrentRequestsPerEntity { get; set; } = 8;

    /// <summary>Requests of one entity that may wait for a slot; beyond that they get 429 with Retry-After.</summary>
    public int QueuedRequestsPerEntity { get; set; } = 8;

    /// <summary>Open event streams of one entity (dashboards following runs); they hold no database connection while idle.</summary>
    public int EventStreamsPerEntity { get; set; } = 64;
}
