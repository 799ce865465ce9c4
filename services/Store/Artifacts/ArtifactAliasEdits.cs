namespace Runstream.Store.Artifacts;

/// <summary>An edit of an artifact collection made after the fact; kept in the collection's own stream.</summary>
public interface IArtifactEdit
{
    string Entity { get; }
    string Project { get; }
    string Name { get; }
}

/// <summary>An alias now names <paramref name="Version"/> (added, or moved from another version).</summary>
public sealed record ArtifactAliasSet(string Entity, string Project, string Name, string Alias, string Version, DateTimeOffset At) : IArtifactEdit;

public sealed record ArtifactAliasRemoved(string Entity, string Project, string Name, string Alias, DateTimeOffset At) : IArtifactEdit;
