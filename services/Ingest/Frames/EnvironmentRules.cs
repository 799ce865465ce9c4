using Runstream.Contracts.V1;

namespace Runstream.Ingest.Frames;

/// <summary>The bounds on a run's code state and environment (<c>started.environment</c>).</summary>
public static class EnvironmentRules
{
    public const int MaxDiffLength = 1024 * 1024;
    public const int MaxArgs = 1_000;
    public const int MaxPackages = 10_000;
    public const int MaxFieldLength = 4_096;

    public static FrameProblem? Problem(RunEnvironment environment)
    {
        const string prefix = "started.environment";
        if (environment.Args.Count > MaxArgs)
            return new($"{prefix}.args", $"{prefix}.args has {environment.Args.Count} arguments; the limit is {MaxArgs}.");
        if (environment.Packages.Count > MaxPackages)
            return new($"{prefix}.packages", $"{prefix}.packages has {environment.Packages.Count} entries; the limit is {MaxPackages}.");
        var git = environment.Git ?? new GitState();
        if (git.Diff.Length > MaxDiffLength)
            return new($"{prefix}.git.diff", $"{prefix}.git.diff is {git.Diff.Length} characters long; the limit is {MaxDiffLength} (cut it and set diff_truncated).");
        var fields = new (string Field, string Value)[]
        {
            ("program", environment.Program), ("runtime", environment.Runtime), ("host", environment.Host), ("os", environment.Os),
            ("git.commit", git.Commit), ("git.branch", git.Branch), ("git.remote_url", git.RemoteUrl),
        };
        foreach (var (field, value) in fields
                     .Concat(environment.Args.Select((a, i) => ($"args[{i}]", a)))
                     .Concat(environment.Packages.Select((p, i) => ($"packages[{i}]", p))))
        {
            if (value.Length > MaxFieldLength)
                return new($"{prefix}.{field}", $"{prefix}.{field} is {value.Length} characters long; the limit is {MaxFieldLength}.");
            if (FrameValidator.TextFieldProblem($"{prefix}.{field}", value) is { } problem)
                return problem;
        }
        return FrameValidator.TextFieldProblem($"{prefix}.git.diff", git.Diff);
    }
}
