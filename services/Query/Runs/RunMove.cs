using Runstream.Store.Runs;

namespace Runstream.Query.Runs;

/// <summary>
/// The decisions of moving a run to another project, apart from the store: whether it may move,
/// and the events its stream in the new project starts with.
/// </summary>
public static class RunMove
{
    /// <summary>Moving copies the run's events in one transaction; a run this long is too big for one.</summary>
    public const long MaxEvents = 50_000;

    /// <summary>Why the run cannot move as it stands; null when it can.</summary>
    public static string? Refusal(RunDetails run)
    {
        if (run.MovedTo is { } movedTo)
            return $"Run '{run.RunId}' already moved to project '{movedTo}'.";
        if (run.DeletedAt is not null)
            return $"Run '{run.RunId}' is deleted; restore it before moving it.";
        // Its training job still sends frames to this project's stream.
        if (run.State == RunState.Running)
            return $"Run '{run.RunId}' is running; move it once it has ended.";
        // Versions of its artifacts belong to this project's collections, and other runs may use them.
        if (run.ArtifactsLogged.Count > 0)
            return $"Run '{run.RunId}' logged {run.ArtifactsLogged.Count} artifact version(s), which belong to project '{run.Project}'; runs that logged artifacts stay in their project.";
        if (run.StreamVersion > MaxEvents)
            return $"Run '{run.RunId}' has {run.StreamVersion} events; the limit of a move is {MaxEvents}.";
        return null;
    }

    /// <summary>
    /// The run's events as its stream in <paramref name="target"/> starts with them: the start names the new
    /// project, and the deletions of the old place are left behind (the run arrives as it is, not deleted).
    /// </summary>
    public static List<object> EventsFor(IEnumerable<object> events, string target) =>
        events.Where(e => e is not (RunDeleted or RunRestored or RunMoved))
            .Select(e => e is RunStarted started ? started with { Project = target } : e)
            .ToList();
}
