namespace Runstream.Query.Retention;

/// <summary>Purge now: one soft-deleted run of a project, or (no <see cref="RunId"/>) every soft-deleted run of it.</summary>
public sealed record PurgeCommand(string? Entity, string? Project, string? RunId);
