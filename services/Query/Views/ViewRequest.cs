namespace Runstream.Query.Views;

/// <summary>A view to save: its name and the workspace state its link carries (the query string).</summary>
public sealed record ViewRequest(string? Name, string? State);
