namespace Runstream.Client;

/// <summary>The SDK's entry point: start a run, as <c>wandb.init</c> does.</summary>
public static class Experiment
{
    /// <summary>
    /// Starts a run and returns at once; frames go out in the background. Use it as a scope:
    /// <c>await using var run = await Experiment.InitAsync(...)</c> finishes the run when the scope ends.
    /// C# cannot tell a disposal from an exception, so mark failures yourself (<see cref="Run.FailAsync"/>)
    /// or let <see cref="RunAsync"/> do it.
    /// </summary>
    /// <remarks>
    /// With <see cref="RunSettings.Id"/> set, it first asks Ingest where that run stands (and
    /// <see cref="RunSettings.Resume"/> decides whether to continue it); otherwise it does not wait on the network.
    /// </remarks>
    public static Task<Run> InitAsync(RunSettings settings, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        RunIds.EnsureValid(settings.Project, nameof(RunSettings.Project));
        if (settings.Id is not null)
            RunIds.EnsureValid(settings.Id, nameof(RunSettings.Id));
        return Run.StartAsync(settings, cancellation);
    }

    /// <summary>
    /// Runs <paramref name="training"/> inside a run: finished when it returns, failed (exit code 1)
    /// when it throws, and the exception is rethrown.
    /// </summary>
    public static async Task RunAsync(RunSettings settings, Func<Run, Task> training, CancellationToken cancellation = default)
    {
        await using var run = await InitAsync(settings, cancellation);
        try
        {
            await training(run);
        }
        catch (Exception e)
        {
            await run.FailAsync(e);
            throw;
        }
    }
}
