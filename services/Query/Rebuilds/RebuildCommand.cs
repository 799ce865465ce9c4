namespace Runstream.Query.Rebuilds;

/// <summary>Rebuild one read model: run-details, metric-history, project-overview or artifact-collections.</summary>
public sealed record RebuildCommand(string? ReadModel);
