namespace Runstream.Store.Runs;

/// <summary>
/// How many runs of a project were given a name by the server: the N of the next generated name.
/// Stored with optimistic concurrency, so two writers naming runs of one project cannot both take a number.
/// </summary>
public sealed class RunNumbers
{
    /// <summary>The project's key, <c>entity/project</c>.</summary>
    public string Id { get; set; } = "";
    public long Last { get; set; }
}
