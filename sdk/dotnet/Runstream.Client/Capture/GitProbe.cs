using System.Diagnostics;
using Runstream.Contracts.V1;

namespace Runstream.Client.Capture;

/// <summary>The git checkout the program runs in, read with the <c>git</c> command; null outside a checkout or without git.</summary>
internal static class GitProbe
{
    /// <summary>The diff is cut here; <c>diff_truncated</c> then says so.</summary>
    public const int MaxDiffLength = 512 * 1024;

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    public static GitState? Read(string directory)
    {
        if (Git(directory, "rev-parse", "HEAD") is not { Length: > 0 } commit)
            return null;
        var state = new GitState
        {
            Commit = commit,
            Branch = Git(directory, "rev-parse", "--abbrev-ref", "HEAD") ?? "",
            RemoteUrl = Git(directory, "remote", "get-url", "origin") ?? "",
            Dirty = Git(directory, "status", "--porcelain", "--untracked-files=no") is { Length: > 0 },
        };
        if (state.Dirty && Git(directory, "diff", "HEAD") is { } diff)
        {
            state.DiffTruncated = diff.Length > MaxDiffLength;
            state.Diff = state.DiffTruncated ? diff[..MaxDiffLength] : diff;
        }
        return state;
    }

    /// <summary>The command's trimmed output, or null when it fails, is missing or takes too long.</summary>
    private static string? Git(string directory, params string[] args)
    {
        try
        {
            var start = new ProcessStartInfo("git") { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var arg in args)
                start.ArgumentList.Add(arg);
            using var process = Process.Start(start);
            if (process is null)
                return null;
            var output = process.StandardOutput.ReadToEndAsync();
            _ = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(Timeout))
            {
                process.Kill();
                return null;
            }
            return process.ExitCode == 0 ? output.Result.Trim('\n', '\r', ' ').Replace("\0", "") : null;
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException or IOException)
        {
            return null;
        }
    }
}
