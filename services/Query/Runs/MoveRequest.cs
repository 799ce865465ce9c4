namespace Runstream.Query.Runs;

/// <summary>Where to move a run: the name of a project of the same entity (made when it does not exist).</summary>
public sealed record MoveRequest(string? Project);
