using Runstream.Store.Artifacts;

namespace Runstream.Projections.Retention;

/// <summary>
/// What purging a run does to an artifact collection of its project. The run leaves every version's
/// loggers and users. A version it logged or used goes when no remaining run logged it or uses it; a
/// version another live run still uses stays (that run's lineage and downloads keep working), even if
/// the purged run was its only logger. Remaining versions keep their numbers; "latest" moves to the
/// newest remaining version, and other aliases of a removed version go with it.
/// </summary>
public static class ArtifactPurge
{
    /// <summary>Edits <paramref name="collection"/> in place; returns the versions removed (their files may become unreferenced).</summary>
    public static IReadOnlyList<ArtifactVersion> Remove(ArtifactCollection collection, string runId)
    {
        var removed = new List<ArtifactVersion>();
        foreach (var version in collection.Versions.ToList())
        {
            var touched = version.LoggedBy.Remove(runId) | version.UsedBy.Remove(runId);
            if (!touched)
                continue;
            if (version.CreatedBy == runId)
                version.CreatedBy = version.LoggedBy.FirstOrDefault() ?? "";
            if (version.LoggedBy.Count == 0 && version.UsedBy.Count == 0)
            {
                collection.Versions.Remove(version);
                removed.Add(version);
            }
        }
        if (removed.Any(v => v.Aliases.Contains(ArtifactCollectionProjection.Latest)) && collection.Versions.Count > 0
            && !collection.Versions.Any(v => v.Aliases.Contains(ArtifactCollectionProjection.Latest)))
            collection.Versions[^1].Aliases.Add(ArtifactCollectionProjection.Latest);
        return removed;
    }
}
