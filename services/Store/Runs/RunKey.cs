namespace Runstream.Store.Runs;

/// <summary>
/// Names one run across entities and projects; its string form is the run's event stream key
/// and the id of its read models.
/// </summary>
public readonly record struct RunKey(string Entity, string Project, string RunId)
{
    public string ProjectKey => ProjectKeyOf(Entity, Project);

    public override string ToString() => $"{Entity}/{Project}/{RunId}";

    public static string ProjectKeyOf(string entity, string project) => $"{entity}/{project}";

    /// <summary>Parses a stream key; project names and run ids never contain '/' (Ingest refuses them).</summary>
    public static RunKey Parse(string streamKey)
    {
        var parts = streamKey.Split('/');
        if (parts.Length != 3)
            throw new FormatException($"'{streamKey}' is not an entity/project/run key.");
        return new RunKey(parts[0], parts[1], parts[2]);
    }
}
