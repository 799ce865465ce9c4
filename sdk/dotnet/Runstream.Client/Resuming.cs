using Runstream.Contracts.V1;

namespace Runstream.Client;

/// <summary>What <see cref="Experiment.InitAsync"/> does with a run id that may exist already.</summary>
public enum ResumeMode
{
    /// <summary>The run must be new; an existing id is an error (so two jobs never mix into one run).</summary>
    Never,
    /// <summary>Continue the run if it exists, else start it.</summary>
    Allow,
    /// <summary>Continue the run; it is an error if it does not exist.</summary>
    Must,
}

public sealed class RunResumeException(string message) : Exception(message);

/// <summary>Where a run starts from: a new run, or an existing one continued after its last sequence and step.</summary>
/// <remarks>A fork (<see cref="ForkFrom"/>) is a new run that starts after its parent's step; a rewind (<see cref="RewindTo"/>) resumes a run from a step.</remarks>
internal sealed record RunStart(bool Resuming, long LastSequence, long NextStep, string? ServerConfigJson)
{
    public RunStepReference? ForkFrom { get; init; }
    public long? RewindTo { get; init; }

    public static readonly RunStart New = new(Resuming: false, LastSequence: 0, NextStep: 0, ServerConfigJson: null);

    /// <summary>
    /// Decides from what the server and the local spool know. The larger of the two wins: the spool
    /// holds frames the server has not applied yet, the server knows runs continued on other machines.
    /// </summary>
    public static RunStart Decide(string runId, ResumeMode mode, RunProgress? server, long spoolLastSequence, long spoolLastStep)
    {
        var exists = server is { Exists: true } || spoolLastSequence > 0;
        if (!exists)
            return mode == ResumeMode.Must
                ? throw new RunResumeException($"Run '{runId}' does not exist, and Resume is Must.")
                : New;
        if (mode == ResumeMode.Never)
            throw new RunResumeException($"Run '{runId}' exists already; set Resume = Allow or Must to continue it, or leave Id unset for a new run.");

        var lastSequence = Math.Max(server?.LastSequence ?? 0, spoolLastSequence);
        var lastStep = Math.Max(server?.LastStep ?? -1, spoolLastStep);
        return new RunStart(Resuming: true, lastSequence, lastStep + 1, server is { Exists: true } ? server.ConfigJson : null);
    }

    /// <summary>A fork or a rewind needs a run that exists and reached the step: it cannot start from nowhere.</summary>
    public static void CheckStep(string setting, RunStepReference reference, RunProgress? server)
    {
        if (server is not { Exists: true })
            throw new RunResumeException($"{setting}: run '{reference.RunId}' does not exist in this project.");
        if (server.LastStep < reference.Step)
            throw new RunResumeException($"{setting}: run '{reference.RunId}' has logged {(server.LastStep < 0 ? "no step" : $"up to step {server.LastStep}")}; "
                + $"step {reference.Step} is past its history.");
    }
}
