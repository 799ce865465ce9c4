namespace Runstream.Store.Runs;

/// <summary>The git checkout a run's code ran from; <see cref="Diff"/> holds the uncommitted changes when it is dirty.</summary>
public sealed record GitState(string? Commit, string? Branch, string? RemoteUrl, bool Dirty, string? Diff, bool DiffTruncated);
