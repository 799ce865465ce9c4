namespace Runstream.Store.Rebuilds;

/// <summary>
/// A rebuild asked for through the admin API: Query records it, and the Projections instance holding the rebuild
/// lock carries it out, one at a time, writing its progress here as it goes (as purges do with <see cref="Retention.PurgeRequest"/>).
/// </summary>
public sealed class RebuildRequest
{
    public string Id { get; set; } = "";
    /// <summary><see cref="RebuildReadModel.Name"/>.</summary>
    public string ReadModel { get; set; } = "";
    public RebuildState State { get; set; }
    public DateTimeOffset RequestedAt { get; set; }
    public DateTimeOffset? StartedAt { get; set; }
    /// <summary>When the progress below was written.</summary>
    public DateTimeOffset? UpdatedAt { get; set; }
    public DateTimeOffset? CompletedAt { get; set; }
    /// <summary>Events to replay, counted when the rebuild started (events appended meanwhile are replayed too, so done may pass it).</summary>
    public long EventsTotal { get; set; }
    public long EventsDone { get; set; }
    /// <summary>Metric points replayed (read models built from metrics).</summary>
    public long PointsDone { get; set; }
    public long StreamsTotal { get; set; }
    public long StreamsDone { get; set; }
    public string? Error { get; set; }
}
