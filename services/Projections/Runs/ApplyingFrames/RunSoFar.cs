using Runstream.Store.Runs;

namespace Runstream.Projections.Runs.ApplyingFrames;

/// <summary>What a frame's event depends on of the run before it: its state (a resume records it) and its console output so far (numbering, limits).</summary>
public sealed record RunSoFar(RunState State, long ConsoleLines = 0, long ConsoleBytes = 0, bool ConsoleLimitReached = false)
{
    public static readonly RunSoFar New = new(RunState.Running);

    /// <summary>Where the run stands after <paramref name="event"/>.</summary>
    public RunSoFar After(object @event) => @event switch
    {
        RunFinished finished => this with { State = finished.ExitCode == 0 ? RunState.Finished : RunState.Failed },
        Store.Runs.RunStarted or Store.Runs.RunResumed => this with { State = RunState.Running },
        Store.Runs.ConsoleLogged console => this with
        {
            State = State == RunState.Crashed ? RunState.Running : State,
            ConsoleLines = ConsoleLines + console.Lines.Length,
            ConsoleBytes = ConsoleBytes + console.Bytes,
            ConsoleLimitReached = ConsoleLimitReached || console.LimitReached,
        },
        _ => State == RunState.Crashed ? this with { State = RunState.Running } : this,
    };
}
