using System.Text.Json;
using Runstream.Contracts.V1;
using Runstream.Contracts.Wire;
using RunTextRules = Runstream.Store.Runs.RunTextRules;

namespace Runstream.Ingest.Frames;

/// <summary>What is wrong with a frame: the field, and a message that names the limit.</summary>
public sealed record FrameProblem(string Field, string Message);

/// <summary>
/// Checks a frame before it is accepted. Pure and allocation-light: it runs on every frame.
/// The limits are documented in the README.
/// </summary>
public static class FrameValidator
{
    public const int MaxNameLength = RunTextRules.MaxNameLength;
    public const int MaxKeyLength = RunTextRules.MaxKeyLength;
    public const int MaxKeysPerFrame = 10_000;
    public const int MaxTags = RunTextRules.MaxTags;
    public const int MaxTextLength = RunTextRules.MaxTextLength;
    public const int MaxConfigBytes = 10 * 1024 * 1024;
    public const int MaxFrameBytes = 16 * 1024 * 1024;

    /// <summary>Problems with the run reference or sequence: such a frame cannot even be recorded as rejected.</summary>
    public static FrameProblem? ValidateAddress(RunFrame frame)
    {
        if (frame.Run is null)
            return new("run", "Every frame names its run (project and run_id).");
        return ValidateName("run.project", frame.Run.Project)
            ?? ValidateName("run.run_id", frame.Run.RunId)
            ?? (frame.PayloadCase == RunFrame.PayloadOneofCase.Heartbeat
                ? (frame.Sequence != 0 ? new("sequence", $"Heartbeats carry sequence 0; got {frame.Sequence}.") : null)
                : frame.Sequence < 1 ? new("sequence", $"Sequence numbers start at 1; got {frame.Sequence}.") : null);
    }

    /// <summary>Client and row times: Unix milliseconds between 1970 and 9999 (0 for "not given").</summary>
    public const long MaxTimeUnixMs = 253_402_300_799_999;

    public static FrameProblem? ValidatePayload(RunFrame frame) =>
        frame.CalculateSize() is var size && size > MaxFrameBytes
            ? new("frame", $"The frame is {size} bytes; the limit is {MaxFrameBytes} (16 MiB). Send fewer rows per frame.")
            : frame.ClientTimeUnixMs is < 0 or > MaxTimeUnixMs
                ? new("client_time_unix_ms", $"client_time_unix_ms is {frame.ClientTimeUnixMs}; Unix milliseconds run from 0 to {MaxTimeUnixMs} (the year 9999).")
                : ValidatePayloadContent(frame);

    private static FrameProblem? ValidatePayloadContent(RunFrame frame) => frame.PayloadCase switch
    {
        RunFrame.PayloadOneofCase.Started => ValidateStarted(frame.Started, frame.Run?.RunId),
        RunFrame.PayloadOneofCase.ConfigUpdated => ValidateConfig("config_updated.config_json", frame.ConfigUpdated.ConfigJson),
        RunFrame.PayloadOneofCase.Metrics => ValidateMetrics(frame.Metrics),
        RunFrame.PayloadOneofCase.SummaryUpdated => ValidateSummary(frame.SummaryUpdated),
        RunFrame.PayloadOneofCase.ArtifactLogged => ValidateArtifact(frame.ArtifactLogged),
        RunFrame.PayloadOneofCase.ArtifactUsed => ValidateArtifactUsed(frame.ArtifactUsed),
        RunFrame.PayloadOneofCase.Edited => ValidateEdit("edited", frame.Edited.HasNotes ? frame.Edited.Notes : null, frame.Edited.Tags?.Tags,
            frame.Edited.HasName ? frame.Edited.Name : null),
        RunFrame.PayloadOneofCase.Console => ValidateConsole(frame.Console),
        RunFrame.PayloadOneofCase.MetricDefined => ValidateDefinition(frame.MetricDefined),
        RunFrame.PayloadOneofCase.Finished => ValidateFailure(frame.Finished.Failure),
        RunFrame.PayloadOneofCase.Media => MediaRules.Problem(frame.Media),
        RunFrame.PayloadOneofCase.Resumed => frame.Resumed.HasRewindToStep ? ValidateStep("resumed.rewind_to_step", frame.Resumed.RewindToStep) : null,
        RunFrame.PayloadOneofCase.Heartbeat => null,
        _ => new("payload", "A frame carries exactly one payload (started, resumed, config_updated, metrics, summary_updated, artifact_logged, artifact_used, edited, console, metric_defined, media, finished or heartbeat)."),
    };

    /// <summary>Project, run, artifact names: letters, digits, '-', '_' and '.', 1 to 128 characters.</summary>
    public static FrameProblem? ValidateName(string field, string value) =>
        RunTextRules.NameProblem(field, value) is { } message ? new(field, message) : null;

    private static FrameProblem? ValidateStarted(RunStarted started, string? runId) =>
        // An empty name asks the server for one.
        ValidateEdit("started", started.Notes, started.Tags, started.Name.Length == 0 ? null : started.Name)
        ?? ValidateConfig("started.config_json", started.ConfigJson)
        ?? (started.Environment is { } environment ? EnvironmentRules.Problem(environment) : null)
        ?? (started.ForkFrom is { } fork ? ValidateFork(fork, runId) : null);

    private static FrameProblem? ValidateFork(ForkPoint fork, string? runId) =>
        ValidateName("started.fork_from.run_id", fork.RunId)
        ?? (fork.RunId == runId ? new FrameProblem("started.fork_from.run_id", $"A run cannot fork from itself ('{runId}'); resume_from rewinds a run.") : null)
        ?? ValidateStep("started.fork_from.step", fork.Step);

    /// <summary>A step a run forks or rewinds at: one it could have logged.</summary>
    private static FrameProblem? ValidateStep(string field, long step) =>
        step < 0 ? new(field, $"{field} is {step}; steps start at 0.") : null;

    /// <summary>Notes, tags and the name, as a run starts with them or as they are edited later.</summary>
    public static FrameProblem? ValidateEdit(string prefix, string? notes, IReadOnlyList<string>? tags, string? name = null) =>
        RunTextRules.EditProblem(prefix, notes, tags, name) is { } problem ? new(problem.Field, problem.Message) : null;

    /// <summary>A metric key or "prefix*", a summary the server knows, and a step metric that is a key.</summary>
    private static FrameProblem? ValidateDefinition(MetricDefined defined)
    {
        if (ValidateKey("metric_defined.name", defined.Name) is { } nameProblem)
            return nameProblem;
        if (defined.Name.IndexOf('*') is var star and >= 0 && star != defined.Name.Length - 1)
            return new("metric_defined.name", $"'{defined.Name}' has a '*' before its end; a pattern is a prefix followed by one '*' (\"val/*\").");
        if (defined.Summary.Length > 0 && !Store.Runs.MetricSummaries.All.Contains(defined.Summary))
            return new("metric_defined.summary", $"'{defined.Summary}' is not a summary; use {string.Join(", ", Store.Runs.MetricSummaries.All)}.");
        return defined.StepMetric.Length > 0 ? ValidateKey("metric_defined.step_metric", defined.StepMetric) : null;
    }

    /// <summary>Keys as metric keys; a key in one map only; strings of at most 64 KiB without U+0000.</summary>
    private static FrameProblem? ValidateSummary(SummaryUpdated summary)
    {
        if ((ValidateMetricKeys("summary_updated.values", summary.Values.Keys) ?? ValidateMetricKeys("summary_updated.strings", summary.Strings.Keys)
                ?? ValidateMetricKeys("summary_updated.booleans", summary.Booleans.Keys)) is { } keyProblem)
            return keyProblem;
        foreach (var (key, text) in summary.Strings)
        {
            if (summary.Values.ContainsKey(key) || summary.Booleans.ContainsKey(key))
                return new("summary_updated.strings", $"The key '{key}' has more than one value in the frame; set it in one map.");
            if (text.Length > MaxTextLength)
                return new($"summary_updated.strings[{key}]", $"summary_updated.strings[{key}] is {text.Length} characters long; the limit is {MaxTextLength}.");
            if (TextFieldProblem($"summary_updated.strings[{key}]", text) is { } nul)
                return nul;
        }
        foreach (var key in summary.Booleans.Keys)
            if (summary.Values.ContainsKey(key))
                return new("summary_updated.booleans", $"The key '{key}' has more than one value in the frame; set it in one map.");
        return null;
    }

    public const int MaxConsoleLinesPerFrame = 10_000;

    /// <summary>Lines of any length are accepted (Projections keeps the start of a long one and says so); their count and times are checked.</summary>
    private static FrameProblem? ValidateConsole(ConsoleLogged console)
    {
        if (console.Lines.Count > MaxConsoleLinesPerFrame)
            return new("console.lines", $"console.lines has {console.Lines.Count} lines; the limit is {MaxConsoleLinesPerFrame} per frame.");
        for (var i = 0; i < console.Lines.Count; i++)
        {
            var line = console.Lines[i];
            if (line.TimeUnixMs is < 0 or > MaxTimeUnixMs)
                return new($"console.lines[{i}].time_unix_ms", $"console.lines[{i}].time_unix_ms is {line.TimeUnixMs}; Unix milliseconds run from 0 to {MaxTimeUnixMs}.");
            if (line.Stream is not (ConsoleStream.Stdout or ConsoleStream.Stderr))
                return new($"console.lines[{i}].stream", $"console.lines[{i}].stream is {(int)line.Stream}; it is 0 (stdout) or 1 (stderr).");
        }
        return null;
    }

    public const int MaxFailureTypeLength = 1024;
    public const int MaxTracebackLength = 256 * 1024;

    private static FrameProblem? ValidateFailure(RunFailure? failure) =>
        failure is null ? null
        : failure.Type.Length > MaxFailureTypeLength ? new("finished.failure.type", $"finished.failure.type is {failure.Type.Length} characters long; the limit is {MaxFailureTypeLength}.")
        : failure.Message.Length > MaxTextLength ? new("finished.failure.message", $"finished.failure.message is {failure.Message.Length} characters long; the limit is {MaxTextLength}.")
        : failure.Traceback.Length > MaxTracebackLength ? new("finished.failure.traceback", $"finished.failure.traceback is {failure.Traceback.Length} characters long; the limit is {MaxTracebackLength}.")
        : TextFieldProblem("finished.failure.type", failure.Type) ?? TextFieldProblem("finished.failure.message", failure.Message)
            ?? TextFieldProblem("finished.failure.traceback", failure.Traceback);

    public static FrameProblem? TextFieldProblem(string field, string value) =>
        RunTextRules.TextProblem(field, value) is { } message ? new(field, message) : null;

    private static FrameProblem? ValidateArtifactUsed(ArtifactUsed used) =>
        (used.Project.Length > 0 ? ValidateName("artifact_used.project", used.Project) : null)
        ?? ValidateName("artifact_used.name", used.Name)
        ?? ValidateName("artifact_used.version", used.Version)
        ?? (Blobs.ContentDigest.TryParse(used.Digest, out _) ? null : new("artifact_used.digest", "artifact_used.digest must be a SHA-256 as 64 lowercase hex characters."));

    private static FrameProblem? ValidateConfig(string field, string json)
    {
        if (json.Length == 0)
            return null;
        if (RunTextRules.JsonTextProblem(field, json) is { } nul)
            return new(field, nul);
        if (json.Length > MaxConfigBytes)
            return new(field, $"{field} is {json.Length} bytes; the limit is {MaxConfigBytes} (10 MB).");
        try
        {
            using var document = JsonDocument.Parse(json);
            return document.RootElement.ValueKind == JsonValueKind.Object
                ? null
                : new(field, $"{field} must be a JSON object; got a {document.RootElement.ValueKind}.");
        }
        catch (JsonException e)
        {
            return new(field, $"{field} is not valid JSON: {e.Message}");
        }
    }

    private static FrameProblem? ValidateMetrics(MetricsLogged metrics)
    {
        if (metrics.Keys.Count > MaxKeysPerFrame)
            return new("metrics.keys", $"metrics.keys has {metrics.Keys.Count} keys; the limit is {MaxKeysPerFrame}.");
        if (ValidateMetricKeys("metrics.keys", metrics.Keys) is { } keyProblem)
            return keyProblem;
        for (var r = 0; r < metrics.Rows.Count; r++)
        {
            var row = metrics.Rows[r];
            if (row.KeyIndexes.Count > MaxKeysPerFrame)
                return new($"metrics.rows[{r}]", $"metrics.rows[{r}] has {row.KeyIndexes.Count} values; the limit is {MaxKeysPerFrame}.");
            if (row.KeyIndexes.Count != row.Values.Count)
                return new($"metrics.rows[{r}]", $"metrics.rows[{r}] has {row.KeyIndexes.Count} key indexes but {row.Values.Count} values.");
            if (row.Step < 0)
                return new($"metrics.rows[{r}].step", $"metrics.rows[{r}].step is {row.Step}; steps start at 0.");
            if (row.TimeUnixMs is < 0 or > MaxTimeUnixMs)
                return new($"metrics.rows[{r}].time_unix_ms", $"metrics.rows[{r}].time_unix_ms is {row.TimeUnixMs}; Unix milliseconds run from 0 to {MaxTimeUnixMs}.");
            foreach (var index in row.KeyIndexes)
                if (index >= metrics.Keys.Count)
                    return new($"metrics.rows[{r}].key_indexes", $"metrics.rows[{r}] refers to key {index}, but the frame names {metrics.Keys.Count} keys.");
        }
        return null;
    }

    private static FrameProblem? ValidateArtifact(ArtifactLogged artifact)
    {
        if (ValidateName("artifact_logged.name", artifact.Name) is { } nameProblem)
            return nameProblem;
        if (ValidateName("artifact_logged.type", artifact.Type) is { } typeProblem)
            return typeProblem;
        if (artifact.Description.Length > MaxTextLength)
            return new("artifact_logged.description", $"artifact_logged.description is {artifact.Description.Length} characters long; the limit is {MaxTextLength}.");
        if (RunTextRules.TextProblem("artifact_logged.description", artifact.Description) is { } nul)
            return new("artifact_logged.description", nul);
        if (!Blobs.ContentDigest.TryParse(artifact.Digest, out _))
            return new("artifact_logged.digest", "artifact_logged.digest must be a SHA-256 as 64 lowercase hex characters.");
        if (artifact.Files.Count == 0)
            return new("artifact_logged.files", "An artifact has at least one file.");
        for (var i = 0; i < artifact.Files.Count; i++)
        {
            var file = artifact.Files[i];
            if (!ArtifactPaths.IsSafeRelativePath(file.Path))
                return new($"artifact_logged.files[{i}].path", $"'{file.Path}' is not a relative '/'-separated path inside the artifact.");
            if (!Blobs.ContentDigest.TryParse(file.Digest, out _))
                return new($"artifact_logged.files[{i}].digest", "A file digest must be a SHA-256 as 64 lowercase hex characters.");
        }
        for (var i = 0; i < artifact.Aliases.Count; i++)
            if (ValidateName($"artifact_logged.aliases[{i}]", artifact.Aliases[i]) is { } aliasProblem)
                return aliasProblem;
        return null;
    }

    private static FrameProblem? ValidateMetricKeys(string field, IEnumerable<string> keys)
    {
        var i = 0;
        foreach (var key in keys)
        {
            var keyField = $"{field}[{i++}]";
            if (ValidateKey(keyField, key) is { } problem)
                return problem;
            if (ReservedMetricKeys.Contains(key))
                return new(keyField, $"The key '{key}' is reserved: the history keeps each row's {string.Join(", ", ReservedMetricKeys.All)} itself. Log it under another name.");
        }
        return null;
    }

    /// <summary>Metric keys and tags: 1 to 256 characters, no control characters.</summary>
    private static FrameProblem? ValidateKey(string field, string key) =>
        RunTextRules.KeyProblem(field, key) is { } message ? new(field, message) : null;
}

public static class ArtifactPaths
{
    /// <summary>
    /// A path that stays inside the artifact wherever it is downloaded: relative, '/'-separated, no '.'
    /// or '..' segment, and no ':' (a drive on Windows, "C:x", or an NTFS stream, "name:stream").
    /// </summary>
    public static bool IsSafeRelativePath(string path) =>
        path.Length is > 0 and <= 1024
        && !path.StartsWith('/')
        && !path.Contains('\\')
        && !path.Contains(':')
        && !path.Any(char.IsControl)
        && path.Split('/').All(segment => segment.Length > 0 && segment is not "." and not "..");
}
