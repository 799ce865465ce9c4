using System.Text.Json.Nodes;
using JasperFx.Events;
using Marten.Events.Aggregation;

namespace Runstream.Store.Runs;

public enum RunState { Running, Finished, Failed, Crashed }

/// <summary>Everything the run page and the runs table show about one run.</summary>
public sealed class RunDetails
{
    /// <summary>The run's stream key, <c>entity/project/runId</c>.</summary>
    public string Id { get; set; } = "";
    public string Entity { get; set; } = "";
    public string Project { get; set; } = "";
    public string RunId { get; set; } = "";
    public string? Name { get; set; }
    public string? Notes { get; set; }
    public List<string> Tags { get; set; } = [];
    public string? Group { get; set; }
    public string? JobType { get; set; }
    public RunState State { get; set; }
    public int? ExitCode { get; set; }
    /// <summary>The exception that ended the run, when it failed with one.</summary>
    public RunFailure? Failure { get; set; }
    public JsonObject Config { get; set; } = [];
    /// <summary>
    /// Each metric key's summary (but system metrics): its last value unless its definition says
    /// otherwise (<see cref="MetricDefinitions"/>), or a value set explicitly.
    /// </summary>
    /// <remarks>Numbers (NaN and ±Infinity as the strings "NaN", "Infinity", "-Infinity"), strings and booleans.</remarks>
    public Dictionary<string, JsonNode?> Summary { get; set; } = [];
    /// <summary>The run's metric definitions (define_metric), by key or "prefix*".</summary>
    public Dictionary<string, MetricDefinition> MetricDefinitions { get; set; } = [];
    /// <summary>How many values make each mean summary so far.</summary>
    public Dictionary<string, long> SummaryCounts { get; set; } = [];
    public long? LastStep { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }
    /// <summary>Set while the run is deleted (soft: <see cref="RunRestored"/> brings it back); lists leave it out.</summary>
    public DateTimeOffset? DeletedAt { get; set; }
    /// <summary>The project the run moved to (then <see cref="DeletedAt"/> is when); its history goes on there.</summary>
    public string? MovedTo { get; set; }
    /// <summary>Sequence number of the last frame applied; the next frame applied is this + 1.</summary>
    public long LastSequence { get; set; }
    /// <summary>Version of the run's event stream (frames plus the server's own events), for optimistic appends.</summary>
    public long StreamVersion { get; set; }
    public List<RejectedFrame> RejectedFrames { get; set; } = [];
    /// <summary>Artifacts the run made, by content digest (version numbers are given by the artifact's collection).</summary>
    public List<RunArtifact> ArtifactsLogged { get; set; } = [];
    /// <summary>Artifacts the run read.</summary>
    public List<RunArtifact> ArtifactsUsed { get; set; } = [];
    /// <summary>Console lines kept (numbered 0 to ConsoleLines - 1), their UTF-8 bytes, and whether the run's limit cut its output.</summary>
    public long ConsoleLines { get; set; }
    public long ConsoleBytes { get; set; }
    public bool ConsoleLimitReached { get; set; }
    /// <summary>Bytes of the media files the run logged, against <see cref="Media.MediaLimits.MaxBytesPerRun"/>.</summary>
    public long MediaBytes { get; set; }
    /// <summary>The run this one was forked from, and at which step: its history starts as that run's up to the step.</summary>
    public ForkPoint? ForkedFrom { get; set; }
    /// <summary>Each time the run went on from an earlier step (resume_from), superseding what it had logged after it.</summary>
    public List<RunRewind> Rewinds { get; set; } = [];
}

public sealed record RejectedFrame(long Sequence, string Reason);

public sealed record RunArtifact(string Name, string Digest, string? Version = null);

/// <summary>Inline: a run's details change in the same transaction as its events (read-your-writes).</summary>
public sealed partial class RunDetailsProjection : SingleStreamProjection<RunDetails, string>
{
    public override RunDetails? Evolve(RunDetails? run, string id, IEvent e)
    {
        // Artifact collections keep their own streams (alias edits); they are no runs.
        if (e.Data is Artifacts.IArtifactEdit or Views.ISavedViewEvent)
            return run;
        // A run exists from its first event, even when that was a rejected start: what was refused stays visible.
        run ??= New(id, e.Timestamp);

        switch (e.Data)
        {
            case RunStarted started:
                Start(run, started);
                break;
            case RunConfigUpdated updated:
                ConfigMerge.Apply(run.Config, updated.Changes);
                break;
            case MetricsLogged logged:
                ApplyMetrics(run, logged.Decode());
                break;
            case SummaryUpdated summary:
                foreach (var (key, value) in summary.Values)
                    run.Summary[key] = value;
                foreach (var (key, text) in summary.Strings ?? [])
                    run.Summary[key] = text;
                foreach (var (key, flag) in summary.Booleans ?? [])
                    run.Summary[key] = flag;
                break;
            case MetricDefined defined:
                Define(run, defined);
                break;
            case RunFinished finished:
                run.State = finished.ExitCode == 0 ? RunState.Finished : RunState.Failed;
                run.ExitCode = finished.ExitCode;
                run.Failure = finished.Failure;
                run.FinishedAt = finished.FinishedAt;
                break;
            case RunRewound rewound:
                Continue(run);
                rewound.Summary.ApplyTo(run);
                run.LastStep = run.LastStep is { } last ? Math.Min(last, rewound.Step) : null;
                run.Rewinds.Add(new RunRewind(rewound.Step, rewound.RewoundAt, rewound.Sequence));
                break;
            case RunResumed:
                Continue(run);
                break;
            case RunCrashed:
                run.State = RunState.Crashed;
                break;
            case RunRevived:
                run.State = RunState.Running;
                break;
            case ArtifactLogged logged:
                run.ArtifactsLogged.Add(new RunArtifact(logged.Name, logged.Digest));
                break;
            case ArtifactUsed used:
                run.ArtifactsUsed.Add(new RunArtifact(used.Name, used.Digest, used.Version));
                break;
            case MediaLogged media:
                run.MediaBytes += media.Bytes;
                break;
            case ConsoleLogged console:
                run.ConsoleLines += console.Lines.Length;
                run.ConsoleBytes += console.Bytes;
                run.ConsoleLimitReached |= console.LimitReached;
                break;
            case RunEdited edited:
                run.Name = edited.Name ?? run.Name;
                run.Notes = edited.Notes ?? run.Notes;
                run.Tags = edited.Tags is null ? run.Tags : [.. edited.Tags];
                break;
            case RunDeleted deleted:
                run.DeletedAt = deleted.DeletedAt;
                break;
            case RunRestored:
                run.DeletedAt = null;
                break;
            case RunMoved moved:
                run.DeletedAt = moved.MovedAt;
                run.MovedTo = moved.ToProject;
                break;
            case FrameRejected rejected:
                run.RejectedFrames.Add(new RejectedFrame(rejected.Sequence, rejected.Reason));
                break;
        }
        // Sequence 0 marks an edit from outside the run, which takes no place in its sequence.
        if (e.Data is IFrameEvent { Sequence: > 0 } frame)
            run.LastSequence = frame.Sequence;
        run.StreamVersion = e.Version;
        run.UpdatedAt = e.Timestamp;
        return run;
    }

    /// <summary>A client continued the run: it is running again, whatever ended it before.</summary>
    private static void Continue(RunDetails run)
    {
        run.State = RunState.Running;
        run.ExitCode = null;
        run.Failure = null;
        run.FinishedAt = null;
    }

    private static RunDetails New(string id, DateTimeOffset at)
    {
        var key = RunKey.Parse(id);
        return new RunDetails { Id = id, Entity = key.Entity, Project = key.Project, RunId = key.RunId, CreatedAt = at };
    }

    private static void Start(RunDetails run, RunStarted started)
    {
        run.Name = started.Name;
        run.Notes = started.Notes;
        run.Tags = [.. started.Tags];
        run.Group = started.Group;
        run.JobType = started.JobType;
        run.State = RunState.Running;
        run.Config = started.Config;
        run.CreatedAt = started.StartedAt;
        if (started.ForkedFrom is { } fork)
        {
            run.ForkedFrom = fork;
            run.LastStep = fork.Step;
            started.Inherited?.ApplyTo(run);
        }
    }

    /// <summary>System metrics (CPU, memory, GPU: the SDKs' samples) are history only, not the run's results.</summary>
    public const string SystemPrefix = "system/";

    private static void Define(RunDetails run, MetricDefined defined)
    {
        var before = run.MetricDefinitions.GetValueOrDefault(defined.Name);
        run.MetricDefinitions[defined.Name] = new MetricDefinition(defined.Summary ?? before?.Summary, defined.StepMetric ?? before?.StepMetric);
        if (defined.Summary == MetricSummaries.None)
            foreach (var key in run.Summary.Keys.Where(k => MetricSummaries.For(run.MetricDefinitions, k)?.Summary == MetricSummaries.None).ToList())
                run.Summary.Remove(key);
    }

    private static void ApplyMetrics(RunDetails run, Contracts.V1.MetricsLogged batch)
    {
        var modes = new string?[batch.Keys.Count];
        var system = new bool[batch.Keys.Count];
        for (var k = 0; k < modes.Length; k++)
        {
            modes[k] = MetricSummaries.For(run.MetricDefinitions, batch.Keys[k])?.Summary;
            system[k] = batch.Keys[k].StartsWith(SystemPrefix, StringComparison.Ordinal);
        }
        // The last value of each key in the frame, set once: a frame holds up to a thousand rows.
        var last = new double?[batch.Keys.Count];
        foreach (var row in batch.Rows)
        {
            for (var i = 0; i < row.KeyIndexes.Count; i++)
            {
                var index = (int)row.KeyIndexes[i];
                if (system[index])
                    continue;
                var mode = modes[index];
                if (mode is null or MetricSummaries.Last)
                {
                    last[index] = row.Values[i];
                    continue;
                }
                var key = batch.Keys[index];
                var count = mode == MetricSummaries.Mean ? run.SummaryCounts[key] = run.SummaryCounts.GetValueOrDefault(key) + 1 : 0;
                if (MetricSummaries.Next(mode, NumberOf(run.Summary.GetValueOrDefault(key)), row.Values[i], count) is { } next)
                    run.Summary[key] = next;
            }
            if (run.LastStep is null || row.Step > run.LastStep)
                run.LastStep = row.Step;
        }
        for (var k = 0; k < last.Length; k++)
            if (last[k] is { } value)
                run.Summary[batch.Keys[k]] = value;
    }

    /// <summary>A summary value as a number: null for a string or a boolean (NaN, stored as "NaN", is no contender either).</summary>
    private static double? NumberOf(JsonNode? node) =>
        node is JsonValue value && value.GetValueKind() == System.Text.Json.JsonValueKind.Number ? value.GetValue<double>() : null;
}
