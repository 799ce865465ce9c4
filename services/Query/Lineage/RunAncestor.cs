namespace Runstream.Query.Lineage;

/// <summary>A run a run descends from, and the step its child was forked at; <see cref="Name"/> is null for a run no longer there.</summary>
public sealed record RunAncestor(string RunId, string? Name, long Step);
