namespace Runstream.Store.Runs;

/// <summary>
/// A run's code state and environment, apart from <see cref="RunDetails"/>: a package list and a
/// diff are kilobytes that the runs table never needs, and only the run page reads.
/// </summary>
public sealed class RunEnvironmentDetails
{
    /// <summary>The run's stream key, <c>entity/project/runId</c>.</summary>
    public string Id { get; set; } = "";
    public RunEnvironment? Environment { get; set; }
}
