using Runstream.Store.Runs;

namespace Runstream.Query.Runs;

/// <summary>The run in its new project, or why it cannot move (a conflict with its state or the target).</summary>
public sealed record MoveResult(RunDetails? Run, string? Refusal);
