namespace Runstream.Store.Retention;

/// <summary>
/// A purge asked for through the admin API, for a data-removal request: Query records it, and the
/// Projections instance that holds the retention lock carries it out and fills in the outcome. Purges
/// thus happen in one place at a time, next to the blob collector and the async projections they wait for.
/// </summary>
public sealed class PurgeRequest
{
    public string Id { get; set; } = "";
    public string Entity { get; set; } = "";
    public string Project { get; set; } = "";
    /// <summary>One run; null purges every soft-deleted run of the project.</summary>
    /// <remarks>Once done, project and run id are replaced by their SHA-256 (<see cref="PurgedRun.HashOf"/>): the request outlives what it removed.</remarks>
    public string? RunId { get; set; }
    public DateTimeOffset RequestedAt { get; set; }
    public DateTimeOffset? CompletedAt { get; set; }
    /// <summary>Run ids left alone: restored meanwhile, or their projections did not catch up in time.</summary>
    public List<string> Skipped { get; set; } = [];
    public PurgeCounts Removed { get; set; } = new();
}
