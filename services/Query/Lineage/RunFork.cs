namespace Runstream.Query.Lineage;

/// <summary>A run forked from another, at <see cref="Step"/>.</summary>
public sealed record RunFork(string RunId, string? Name, long Step, string State);
