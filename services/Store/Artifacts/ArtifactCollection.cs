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
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>
/// Async: versions are numbered by content. New content makes the next version and takes
/// "latest"; content the collection already holds makes no version and only moves aliases.
/// </summary>
public sealed partial class ArtifactCollectionProjection : MultiStreamProjection<ArtifactCollection, string>
{
    public const string Latest = "latest";

    public ArtifactCollectionProjection()
    {
        Identity<ArtifactLogged>(e => ArtifactCollection.KeyOf(e.Entity, e.Project, e.Name));
        // Only artifact events matter here; without this the daemon would load every metric frame too.
        IncludeType<ArtifactLogged>();
    }

    public override ArtifactCollection? Evolve(ArtifactCollection? collection, string id, IEvent e)
    {
        if (e.Data is not ArtifactLogged logged)
            return collection;

        collection ??= new ArtifactCollection { Id = id, Entity = logged.Entity, Project = logged.Project, Name = logged.Name };
        collection.Type = logged.Type;
        var runId = RunKey.Parse(e.StreamKey!).RunId;

        var version = collection.Versions.FirstOrDefault(v => v.Digest == logged.Digest);
        var isNew = version is null;
        if (version is null)
        {
            version = new ArtifactVersion
            {
                Index = collection.Versions.Count,
                Digest = logged.Digest,
                Size = logged.Size,
                Description = logged.Description,
                Files = [.. logged.Files],
                CreatedBy = runId,
                CreatedAt = logged.LoggedAt,
            };
            collection.Versions.Add(version);
        }
        if (!version.LoggedBy.Contains(runId))
            version.LoggedBy.Add(runId);

        IEnumerable<string> aliases = isNew ? [Latest, .. logged.Aliases] : logged.Aliases;
        foreach (var alias in aliases.Distinct())
            MoveAlias(collection, alias, version);
        return collection;
    }

    /// <summary>An alias names one version at a time.</summary>
    private static void MoveAlias(ArtifactCollection collection, string alias, ArtifactVersion to)
    {
        foreach (var version in collection.Versions)
            version.Aliases.Remove(alias);
        to.Aliases.Add(alias);
    }
}
