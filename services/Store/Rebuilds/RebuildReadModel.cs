namespace Runstream.Store.Rebuilds;

/// <summary>
/// A read model the admin API can rebuild from the event store, by the name operators use. Inline read models
/// that are a function of one run's stream (<see cref="PerRunStream"/>) are rebuilt run by run by Projections;
/// the async ones by Marten's daemon (<see cref="DaemonProjection"/>, the projection's name in the daemon).
/// </summary>
public sealed record RebuildReadModel(string Name, string? DaemonProjection, bool CountsPoints)
{
    public static readonly RebuildReadModel RunDetails = new("run-details", null, false);
    public static readonly RebuildReadModel MetricHistory = new("metric-history", null, true);
    public static readonly RebuildReadModel ProjectOverview = new("project-overview", "ProjectOverview", false);
    public static readonly RebuildReadModel ArtifactCollections = new("artifact-collections", "ArtifactCollection", false);

    public static IReadOnlyList<RebuildReadModel> All { get; } = [RunDetails, MetricHistory, ProjectOverview, ArtifactCollections];

    public bool PerRunStream => DaemonProjection is null;

    /// <summary>The read model named (case-insensitive), or null for a name no read model has.</summary>
    public static RebuildReadModel? Find(string? name) =>
        All.FirstOrDefault(model => string.Equals(model.Name, name?.Trim(), StringComparison.OrdinalIgnoreCase));
}
