namespace Runstream.Query.Lineage;

/// <summary>What <c>GET .../runs/{runId}/lineage</c> answers.</summary>
public sealed record RunLineageView(List<RunAncestor> Ancestors, List<RunFork> Forks);
