using JasperFx.Events;
using Marten.Events.Projections;
using Runstream.Store.Runs;

namespace Runstream.Store.Artifacts;

/// <summary>All versions of one named artifact in a project (e.g. the model "trained-model").</summary>
public sealed class ArtifactCollection
{
    /// <summary><c>entity/project/name</c>.</summary>
    public string Id { get; set; } = "";
    public string Entity { get; set; } = "";
    public string Project { get; set; } = "";
    public string Name { get; set; } = "";
    public string Type { get; set; } = "";
    public List<ArtifactVersion> Versions { get; set; } = [];

    public static string KeyOf(string entity, string project, string name) => $"{entity}/{project}/{name}";

    /// <summary>A version by "v3", "3" or an alias such as "latest".</summary>
    public ArtifactVersion? Find(string versionOrAlias)
    {
        var number = versionOrAlias.StartsWith('v') ? versionOrAlias[1..] : versionOrAlias;
        if (int.TryParse(number, out var index))
            return Versions.FirstOrDefault(v => v.Index == index);
        return Versions.FirstOrDefault(v => v.Aliases.Contains(versionOrAlias));
    }
}

public sealed class ArtifactVersion
{
    public int Index { get; set; }
    public string Version => $"v{Index}";
    public string Digest { get; set; } = "";
    public long Size { get; set; }
    public string? Description { get; set; }
    public List<ArtifactFileEntry> Files { get; set; } = [];
    public List<string> Aliases { get; set; } = [];
    /// <summary>The run that first logged this content.</summary>
    public string CreatedBy { get; set; } = "";
    /// <summary>Every run that logged this content, the first included.</summary>
    public List<string> LoggedBy { get; set; } = [];
    /// <summary>Every run that read this version (its consumers, for lineage).</summary>
    public List<string> UsedBy { get; set; } = [];
    public DateTimeOffset CreatedAt { get; set; }
    /// <summary>When Ingest accepted the frame that made this version: versions are numbered in this order.</summary>
    public DateTimeOffset AcceptedAt { get; set; }
}

/// <summary>
/// Async: versions are numbered by content, in the order Ingest accepted the frames that logged it
/// (the first acknowledged gets the lower number), whatever order they are applied in: two
/// Projections instances, or a frame parked for its predecessor, may apply a later frame first.
/// New content takes "latest" when it is the newest; content the collection already holds makes
/// no version and only moves aliases.
/// </summary>
public sealed partial class ArtifactCollectionProjection : MultiStreamProjection<ArtifactCollection, string>
{
    public const string Latest = "latest";

    public ArtifactCollectionProjection()
    {
        Identity<ArtifactLogged>(e => ArtifactCollection.KeyOf(e.Entity, e.Project, e.Name));
        Identity<ArtifactUsed>(e => ArtifactCollection.KeyOf(e.Entity, e.Project, e.Name));
        Identity<ArtifactAliasSet>(e => ArtifactCollection.KeyOf(e.Entity, e.Project, e.Name));
        Identity<ArtifactAliasRemoved>(e => ArtifactCollection.KeyOf(e.Entity, e.Project, e.Name));
        // Only artifact events matter here; without this the daemon would load every metric frame too.
        IncludeType<ArtifactLogged>();
        IncludeType<ArtifactUsed>();
        IncludeType<ArtifactAliasSet>();
        IncludeType<ArtifactAliasRemoved>();
    }

    public override ArtifactCollection? Evolve(ArtifactCollection? collection, string id, IEvent e)
    {
        switch (e.Data)
        {
            case ArtifactLogged logged:
                return Logged(collection, id, logged, RunKey.Parse(e.StreamKey!).RunId);
            case ArtifactUsed used when collection?.Versions.FirstOrDefault(v => v.Digest == used.Digest) is { } version:
                var runId = RunKey.Parse(e.StreamKey!).RunId;
                if (!version.UsedBy.Contains(runId))
                    version.UsedBy.Add(runId);
                return collection;
            case ArtifactAliasSet set when collection?.Find(set.Version) is { } version:
                MoveAlias(collection, set.Alias, version);
                return collection;
            case ArtifactAliasRemoved removed when collection is not null:
                foreach (var version in collection.Versions)
                    version.Aliases.Remove(removed.Alias);
                return collection;
            default:
                return collection;
        }
    }

    private static ArtifactCollection Logged(ArtifactCollection? collection, string id, ArtifactLogged logged, string runId)
    {
        collection ??= new ArtifactCollection { Id = id, Entity = logged.Entity, Project = logged.Project, Name = logged.Name };
        collection.Type = logged.Type;

        var version = collection.Versions.FirstOrDefault(v => v.Digest == logged.Digest);
        var isNewest = false;
        if (version is null)
        {
            version = new ArtifactVersion
            {
                Digest = logged.Digest,
                Size = logged.Size,
                Description = logged.Description,
                Files = [.. logged.Files],
                CreatedBy = runId,
                CreatedAt = logged.LoggedAt,
                AcceptedAt = logged.AcceptedAt,
            };
            var position = collection.Versions.FindLastIndex(v => v.AcceptedAt <= logged.AcceptedAt) + 1;
            collection.Versions.Insert(position, version);
            // Numbers follow on from the version before, not from the position: a purge may have removed a
            // version in the middle, and the versions around it keep the numbers runs know them by.
            for (var i = position; i < collection.Versions.Count; i++)
                collection.Versions[i].Index = i == 0 ? 0 : collection.Versions[i - 1].Index + 1;
            isNewest = position == collection.Versions.Count - 1;
        }
        else if (logged.AcceptedAt < version.AcceptedAt)
        {
            // The same content, accepted earlier from another run: that run made it.
            version.CreatedBy = runId;
            version.CreatedAt = logged.LoggedAt;
            version.AcceptedAt = logged.AcceptedAt;
        }
        if (!version.LoggedBy.Contains(runId))
            version.LoggedBy.Add(runId);

        IEnumerable<string> aliases = isNewest ? [Latest, .. logged.Aliases] : logged.Aliases;
        foreach (var alias in aliases.Distinct())
            MoveAlias(collection, alias, version);
        return collection;
    }

    public static string StreamKeyOf(string entity, string project, string name) => $"artifact:{ArtifactCollection.KeyOf(entity, project, name)}";

    /// <summary>An alias names one version at a time.</summary>
    private static void MoveAlias(ArtifactCollection collection, string alias, ArtifactVersion to)
    {
        foreach (var version in collection.Versions)
            version.Aliases.Remove(alias);
        to.Aliases.Add(alias);
    }
}
