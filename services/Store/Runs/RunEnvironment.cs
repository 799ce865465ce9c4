namespace Runstream.Store.Runs;

/// <summary>Where a run's code came from and what it ran on, as its SDK found them at init.</summary>
public sealed record RunEnvironment(
    GitState? Git,
    string? Program,
    string[] Args,
    string? Runtime,
    string? Host,
    string? Os,
    string[] Packages);
