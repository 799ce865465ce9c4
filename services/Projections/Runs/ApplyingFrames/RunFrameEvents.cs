using System.Text.Json.Nodes;
using Google.Protobuf;
using Runstream.Contracts.Bus;
using Runstream.Contracts.V1;
using Runstream.Store.ConsoleOutput;
using Runstream.Store.Runs;
using Wire = Runstream.Contracts.V1;

namespace Runstream.Projections.Runs.ApplyingFrames;

/// <summary>Turns an accepted frame into the one event it records in the run's stream.</summary>
public static class RunFrameEvents
{
    /// <param name="before">Where the run stands before this frame.</param>
    public static object ToEvent(RunFrameReceived received, RunSoFar before)
    {
        if (received.Rejection is not null)
            return new Store.Runs.FrameRejected(received.Sequence, received.Rejection);

        var frame = RunFrame.Parser.ParseFrom(received.Frame);
        var sentAt = frame.ClientTimeUnixMs > 0 ? DateTimeOffset.FromUnixTimeMilliseconds(frame.ClientTimeUnixMs) : received.ReceivedAt;
        return frame.PayloadCase switch
        {
            RunFrame.PayloadOneofCase.Started => new Store.Runs.RunStarted(
                received.Sequence, received.Entity, received.Project, received.RunId,
                NullIfEmpty(frame.Started.Name), NullIfEmpty(frame.Started.Notes), [.. frame.Started.Tags],
                NullIfEmpty(frame.Started.Group), NullIfEmpty(frame.Started.JobType),
                ParseObject(frame.Started.ConfigJson), sentAt, EnvironmentOf(frame.Started.Environment),
                frame.Started.ForkFrom is { } fork ? new Store.Runs.ForkPoint(fork.RunId, fork.Step) : null),
            RunFrame.PayloadOneofCase.ConfigUpdated => new RunConfigUpdated(received.Sequence, ParseObject(frame.ConfigUpdated.ConfigJson)),
            RunFrame.PayloadOneofCase.Metrics => new Store.Runs.MetricsLogged(received.Sequence, frame.Metrics.ToByteArray()),
            RunFrame.PayloadOneofCase.SummaryUpdated => new Store.Runs.SummaryUpdated(received.Sequence, new Dictionary<string, double>(frame.SummaryUpdated.Values),
                frame.SummaryUpdated.Strings.Count > 0 ? new Dictionary<string, string>(frame.SummaryUpdated.Strings) : null,
                frame.SummaryUpdated.Booleans.Count > 0 ? new Dictionary<string, bool>(frame.SummaryUpdated.Booleans) : null),
            RunFrame.PayloadOneofCase.ArtifactLogged => new Store.Runs.ArtifactLogged(
                received.Sequence, received.Entity, received.Project, frame.ArtifactLogged.Name, frame.ArtifactLogged.Type,
                frame.ArtifactLogged.Digest, frame.ArtifactLogged.Size,
                [.. frame.ArtifactLogged.Files.Select(f => new ArtifactFileEntry(f.Path, f.Digest, f.Size))],
                [.. frame.ArtifactLogged.Aliases], NullIfEmpty(frame.ArtifactLogged.Description), sentAt, received.ReceivedAt),
            RunFrame.PayloadOneofCase.ArtifactUsed => new Store.Runs.ArtifactUsed(
                received.Sequence, received.Entity, NullIfEmpty(frame.ArtifactUsed.Project) ?? received.Project,
                frame.ArtifactUsed.Name, frame.ArtifactUsed.Version, frame.ArtifactUsed.Digest, sentAt),
            RunFrame.PayloadOneofCase.Edited => new Store.Runs.RunEdited(
                received.Sequence, frame.Edited.HasNotes ? frame.Edited.Notes : null, frame.Edited.Tags is { } tags ? [.. tags.Tags] : null, sentAt,
                frame.Edited.HasName ? frame.Edited.Name : null),
            // The summary a rewind goes back to is read from the history (ForksAndRewinds), not from the frame.
            RunFrame.PayloadOneofCase.Resumed => frame.Resumed.HasRewindToStep
                ? new RunRewound(received.Sequence, frame.Resumed.RewindToStep, before.State, SummaryAtStep.Empty, sentAt)
                : new Store.Runs.RunResumed(received.Sequence, before.State, sentAt),
            RunFrame.PayloadOneofCase.Finished => new Store.Runs.RunFinished(received.Sequence, frame.Finished.ExitCode, sentAt,
                frame.Finished.Failure is { } failure ? new Store.Runs.RunFailure(failure.Type, failure.Message, failure.Traceback) : null),
            RunFrame.PayloadOneofCase.Console => ConsoleOf(received.Sequence, frame.Console, before),
            RunFrame.PayloadOneofCase.MetricDefined => new Store.Runs.MetricDefined(received.Sequence, frame.MetricDefined.Name,
                NullIfEmpty(frame.MetricDefined.Summary), NullIfEmpty(frame.MetricDefined.StepMetric)),
            RunFrame.PayloadOneofCase.Media => MediaOf(received.Sequence, frame.Media, before),
            _ => new Store.Runs.FrameRejected(received.Sequence, "The frame carries no payload."),
        };
    }

    private static Store.Runs.ConsoleLogged ConsoleOf(long sequence, Wire.ConsoleLogged console, RunSoFar before)
    {
        var lines = console.Lines.Select(l => new Store.ConsoleOutput.ConsoleLine(l.TimeUnixMs, l.Stream == ConsoleStream.Stderr, l.Text));
        var (kept, bytes, limitReached) = ConsoleLimits.Keep(lines, before.ConsoleBytes, before.ConsoleLimitReached);
        return new Store.Runs.ConsoleLogged(sequence, before.ConsoleLines, kept, bytes, limitReached);
    }

    /// <summary>The media, or a rejection once the run's media would pass its limit (only here are a run's frames counted in order).</summary>
    private static object MediaOf(long sequence, Wire.MediaLogged media, RunSoFar before)
    {
        var bytes = Store.Media.MediaValue.BytesOf(media);
        return Store.Media.MediaLimits.RunBytesProblem(before.MediaBytes, bytes) is { } problem
            ? new Store.Runs.FrameRejected(sequence, problem)
            : new Store.Runs.MediaLogged(sequence, media.ToByteArray(), bytes);
    }

    private static Store.Runs.RunEnvironment? EnvironmentOf(Wire.RunEnvironment? environment) => environment is null ? null : new(
        environment.Git is { } git ? new Store.Runs.GitState(NullIfEmpty(git.Commit), NullIfEmpty(git.Branch), NullIfEmpty(git.RemoteUrl), git.Dirty, NullIfEmpty(git.Diff), git.DiffTruncated) : null,
        NullIfEmpty(environment.Program), [.. environment.Args], NullIfEmpty(environment.Runtime), NullIfEmpty(environment.Host),
        NullIfEmpty(environment.Os), [.. environment.Packages]);

    private static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;

    private static JsonObject ParseObject(string json) =>
        json.Length == 0 ? [] : JsonNode.Parse(json) as JsonObject ?? throw new FormatException("The config is not a JSON object.");
}
