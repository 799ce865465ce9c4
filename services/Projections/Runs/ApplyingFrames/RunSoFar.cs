using Runstream.Store.Runs;

namespace Runstream.Projections.Runs.ApplyingFrames;

/// <summary>What a frame's event depends on of the run before it: its state (a resume records it), its console output so far (numbering, limits) and its media bytes (their limit).</summary>
public sealed record RunSoFar(RunState State, long ConsoleLines = 0, long ConsoleBytes = 0, bool ConsoleLimitReached = false, long MediaBytes = 0)
{
    public static readonly RunSoFar New = new(RunState.Running);

    /// <summary>Where the run stands after <paramref name="event"/>.</summary>
    public RunSoFar After(object @event) => @event switch
    {
        RunFinished finished => this with { State = finished.ExitCode == 0 ? RunState.Finished : RunState.Failed },
        Store.Runs.RunStarted or Store.Runs.RunResumed or RunRewound => this with { State = RunState.Running },
        Store.Runs.ConsoleLogged console => this with
        {
            State = State == RunState.Crashed ? RunState.Running : State,
            ConsoleLines = ConsoleLines + console.Lines.Length,
            ConsoleBytes = ConsoleBytes + console.Bytes,
            ConsoleLimitReached = ConsoleLimitReached || console.LimitReached,
        },
        Store.Runs.MediaLogged media => this with
        {
            State = State == RunState.Crashed ? RunState.Running : State,
            MediaBytes = MediaBytes + media.Bytes,
        },
        _ => State == RunState.Crashed ? this with { State = RunState.Running } : this,
    };
}
