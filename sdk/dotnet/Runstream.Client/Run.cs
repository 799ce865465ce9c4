using System.Text.Json;
using System.Text.Json.Nodes;
using Runstream.Client.Artifacts;
using Runstream.Client.Capture;
using Runstream.Client.Spool;
using Runstream.Client.Uplink;
using Runstream.Contracts.V1;
using Runstream.Contracts.Wire;

namespace Runstream.Client;

/// <summary>
/// One training run. <see cref="Log"/> returns at once: rows are batched into frames and sent in
/// the background, and every frame is kept until Ingest acknowledges it.
/// </summary>
public sealed class Run : IAsyncDisposable
{
    private readonly RunSettings _settings;
    private readonly FrameUplink _uplink;
    private readonly Lock _stepLock = new();
    private long _nextStep;
    private Task<FinishResult>? _finishing;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> _warned = [];
    private readonly ConsoleBuffer? _console;
    private readonly IDisposable? _consoleCapture;
    private readonly SystemSampler? _system;
    private readonly MediaWorker _media;
    private string? _name;

    public string Id { get; }
    public string Project { get; }

    /// <summary>
    /// The run's display name (the server names a run started without one, adjective-noun-N).
    /// Setting it renames the run.
    /// </summary>
    public string? Name
    {
        get => _name;
        set
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(value);
            _name = value;
            _uplink.Enqueue(new RunFrame { Edited = new RunEdited { Name = value } });
        }
    }
    public RunConfig Config { get; }
    public RunSummary Summary { get; }

    /// <summary>Frames Ingest refused, with the field and the reason; the run went on without them.</summary>
    public IReadOnlyCollection<FrameError> Errors => _uplink.Errors;

    private Run(RunSettings settings, string id, RunSpool spool, IngestConnection ingest, RunStart start)
    {
        _settings = settings;
        Id = id;
        Project = settings.Project;
        _name = settings.Name;
        _nextStep = start.NextStep;
        var configChanges = settings.Config is null ? null : JsonSerializer.SerializeToNode(settings.Config) as JsonObject
            ?? throw new ArgumentException("RunSettings.Config must serialize to a JSON object.", nameof(settings));
        var config = start.ServerConfigJson is { Length: > 0 } known ? JsonNode.Parse(known)!.AsObject() : [];
        _uplink = new FrameUplink(settings, new RunRef { Project = Project, RunId = Id }, spool, ingest);
        Config = new RunConfig(config, changes => _uplink.Enqueue(new RunFrame { ConfigUpdated = new ConfigUpdated { ConfigJson = changes.ToJsonString() } }));
        Summary = new RunSummary(summary => _uplink.Enqueue(new RunFrame { SummaryUpdated = summary }));

        if (start.Resuming)
        {
            _uplink.Enqueue(new RunFrame { Resumed = start.RewindTo is { } step ? new RunResumed { RewindToStep = step } : new RunResumed() });
            if (configChanges is not null)
                Config.Update(configChanges);
        }
        else
        {
            foreach (var (key, value) in configChanges ?? [])
                config[key] = value?.DeepClone();
            _uplink.Enqueue(new RunFrame
            {
                Started = new RunStarted
                {
                    Name = settings.Name ?? "",
                    Notes = settings.Notes ?? "",
                    Tags = { settings.Tags },
                    Group = settings.Group ?? "",
                    JobType = settings.JobType ?? "",
                    ConfigJson = config.ToJsonString(),
                    Environment = settings.RecordEnvironment ? EnvironmentProbe.Read() : null,
                    ForkFrom = start.ForkFrom is { } fork ? new ForkPoint { RunId = fork.RunId, Step = fork.Step } : null,
                },
            });
        }
        if (settings.CaptureConsole)
        {
            _console = new ConsoleBuffer(_uplink.Enqueue, settings.FlushInterval);
            _consoleCapture = ConsoleCapture.Attach(_console);
        }
        if (settings.SystemMetricsInterval > TimeSpan.Zero)
            _system = new SystemSampler(LogSystemMetrics, settings.SystemMetricsInterval);
        _media = new MediaWorker(settings.Offline ? null : _uplink.UploadMediaAsync, _uplink.StashMedia, _uplink.Enqueue, WarnOnce);
    }

    /// <summary>A sample of system metrics, at the step last logged: it does not move the run's step.</summary>
    private void LogSystemMetrics(IReadOnlyDictionary<string, double> sample)
    {
        long at;
        lock (_stepLock)
            at = Math.Max(_nextStep - 1, 0);
        try
        {
            _uplink.Enqueue(new MetricRowItem(at, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), [.. sample.Keys], [.. sample.Values]));
        }
        catch (InvalidOperationException)
        {
            // The run finished meanwhile.
        }
    }

    internal static async Task<Run> StartAsync(RunSettings settings, CancellationToken cancellation)
    {
        if (settings.ForkFrom is not null && settings.ResumeFrom is not null)
            throw new ArgumentException("ForkFrom and ResumeFrom together: ForkFrom starts a new run, ResumeFrom continues one; set one of them.", nameof(settings));
        if (settings.ResumeFrom is { } from && settings.Id is { } named && named != from.RunId)
            throw new ArgumentException($"ResumeFrom continues run '{from.RunId}', but Id is '{named}'.", nameof(settings));
        if ((settings.ForkFrom ?? settings.ResumeFrom) is not null && settings.Offline)
            throw new RunResumeException($"{(settings.ForkFrom is null ? "ResumeFrom" : "ForkFrom")} needs Ingest to say where the run stands; it does not work offline.");
        var id = settings.ResumeFrom?.RunId ?? settings.Id ?? RunIds.NewId();
        var ingest = new IngestConnection(settings);
        var spool = RunSpool.OpenOrCreate(settings.ResolveSpoolDirectory(), new SpoolInfo(settings.Project, id));
        try
        {
            var start = RunStart.New;
            if (settings.Id is not null || settings.ResumeFrom is not null)
            {
                var server = settings.Offline ? null : await ProgressAsync(ingest, settings.Project, id, cancellation);
                if (settings.ResumeFrom is { } rewind)
                {
                    RunStart.CheckStep(nameof(RunSettings.ResumeFrom), rewind, server);
                    start = RunStart.Decide(id, ResumeMode.Must, server, spool.LastSequence, spool.LastStep) with { NextStep = rewind.Step + 1, RewindTo = rewind.Step };
                }
                else
                    start = RunStart.Decide(id, settings.Resume, server, spool.LastSequence, spool.LastStep);
                spool.SkipTo(start.LastSequence);
            }
            // A preempted fork restarting with its id resumes: the fork was made when the run started.
            if (settings.ForkFrom is { } fork && !start.Resuming)
            {
                var parent = await ProgressAsync(ingest, settings.Project, fork.RunId, cancellation);
                RunStart.CheckStep(nameof(RunSettings.ForkFrom), fork, parent);
                start = start with { NextStep = fork.Step + 1, ServerConfigJson = parent.ConfigJson, ForkFrom = fork };
            }
            return new Run(settings, id, spool, ingest, start);
        }
        catch
        {
            spool.Dispose();
            ingest.Dispose();
            throw;
        }
    }

    private static async Task<RunProgress> ProgressAsync(IngestConnection ingest, string project, string runId, CancellationToken cancellation) =>
        await ingest.Client.GetRunAsync(new RunRef { Project = project, RunId = runId }, ingest.Headers, cancellationToken: cancellation);

    /// <summary>
    /// Logs metrics for one step. Without <paramref name="step"/> it is the next step (0, 1, 2, ...).
    /// With <paramref name="commit"/> false the next call logs to the same step. Logging a step again,
    /// or an earlier one, sets those keys' values at that step.
    /// </summary>
    public void Log(IReadOnlyDictionary<string, double> metrics, long? step = null, bool commit = true)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        long at;
        lock (_stepLock)
        {
            at = step ?? _nextStep;
            _nextStep = Math.Max(_nextStep, commit ? at + 1 : at);
        }
        var keys = new string[metrics.Count];
        var values = new double[metrics.Count];
        var i = 0;
        foreach (var (key, value) in metrics)
        {
            if (ReservedMetricKeys.Contains(key))
            {
                WarnOnce($"metric key '{key}' is reserved (the history keeps each row's step and time itself); it is not logged.");
                continue;
            }
            keys[i] = key;
            values[i++] = value;
        }
        if (i < keys.Length)
        {
            Array.Resize(ref keys, i);
            Array.Resize(ref values, i);
        }
        Summary.Observe(keys, values);
        _uplink.Enqueue(new MetricRowItem(at, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), keys, values));
    }

    /// <summary>
    /// Logs images, tables and histograms (<see cref="MediaValue"/>s) at <paramref name="step"/>, or without it at the
    /// step last logged. It returns at once: values are encoded and their files uploaded in the background, and a
    /// value that breaks a limit is left out with a warning.
    /// </summary>
    public void LogMedia(IReadOnlyDictionary<string, MediaValue> media, long? step = null)
    {
        ArgumentNullException.ThrowIfNull(media);
        if (step < 0)
            throw new ArgumentOutOfRangeException(nameof(step), $"steps start at 0; got {step}.");
        long at;
        lock (_stepLock)
            at = step ?? Math.Max(_nextStep - 1, 0);
        foreach (var (key, value) in media)
        {
            if (ReservedMetricKeys.Contains(key))
            {
                WarnOnce($"media key '{key}' is reserved (the history keeps each row's step and time itself); it is not logged.");
                continue;
            }
            _media.Enqueue(at, key, value);
        }
    }

    private void WarnOnce(string message)
    {
        if (_warned.TryAdd(message, true))
            _settings.Warn(message);
    }

    /// <summary>
    /// Logs a file or a directory as a version of the artifact <paramref name="name"/>. The content is
    /// hashed and uploaded (only files the server lacks); identical content makes no new version.
    /// </summary>
    public async Task<LoggedArtifact> LogArtifactAsync(string path, string name, string type, IReadOnlyList<string>? aliases = null,
        string? description = null, CancellationToken cancellation = default)
    {
        var artifact = await LocalArtifact.BuildAsync(path, cancellation);
        await _uplink.UploadMissingContentAsync(artifact, cancellation);
        _uplink.Enqueue(new RunFrame
        {
            ArtifactLogged = new ArtifactLogged
            {
                Name = name,
                Type = type,
                Digest = artifact.Digest,
                Size = artifact.Size,
                Files = { artifact.Files.Select(f => new ArtifactFile { Path = f.Path, Digest = f.Digest, Size = f.Size }) },
                Aliases = { aliases ?? [] },
                Description = description ?? "",
            },
        });
        return new LoggedArtifact(name, type, artifact.Digest, artifact.Size, artifact.Files.Select(f => f.Path).ToList());
    }

    /// <summary>
    /// Uses a version of an artifact ("name", "name:latest", "name:v2", "other-project/name:v2"):
    /// downloads its files into <paramref name="directory"/> (a temporary folder when omitted) and
    /// records the run as its consumer.
    /// </summary>
    public async Task<UsedArtifact> UseArtifactAsync(string reference, string? directory = null, CancellationToken cancellation = default)
    {
        var (path, version) = reference.Split(':', 2) is [var p, var v] ? (p, v) : (reference, "latest");
        var (project, name) = path.Split('/', 2) is [var projectPart, var namePart] ? (projectPart, namePart) : (_settings.Project, path);
        directory ??= Directory.CreateTempSubdirectory($"runstream-{name}-").FullName;
        var manifest = await _uplink.DownloadArtifactAsync(project, name, version, directory, cancellation);
        _uplink.Enqueue(new RunFrame
        {
            ArtifactUsed = new ArtifactUsed
            {
                Name = manifest.Name, Version = manifest.Version, Digest = manifest.Digest,
                Project = project == _settings.Project ? "" : project,
            },
        });
        return new UsedArtifact(manifest.Name, manifest.Version, manifest.Digest, directory);
    }

    /// <summary>
    /// Says how the run summarises a metric and charts it, as wandb's <c>define_metric</c>:
    /// <paramref name="summary"/> is "last" (the default), "min", "max", "mean" or "none";
    /// <paramref name="stepMetric"/> names the key whose value is the metric's x axis ("epoch").
    /// <paramref name="name"/> may be a prefix ending in '*' ("val/*"). Null leaves a part as it was.
    /// </summary>
    public void DefineMetric(string name, string? summary = null, string? stepMetric = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (summary is not null && summary is not ("last" or "min" or "max" or "mean" or "none"))
            throw new ArgumentException($"summary '{summary}' is not one of last, min, max, mean, none.", nameof(summary));
        _uplink.Enqueue(new RunFrame { MetricDefined = new MetricDefined { Name = name, Summary = summary ?? "", StepMetric = stepMetric ?? "" } });
    }

    /// <summary>Replaces the run's tags and/or notes (null leaves them as they are).</summary>
    public void Edit(string? notes = null, IReadOnlyList<string>? tags = null)
    {
        var edit = new RunEdited();
        if (notes is not null)
            edit.Notes = notes;
        if (tags is not null)
            edit.Tags = new TagList { Tags = { tags } };
        _uplink.Enqueue(new RunFrame { Edited = edit });
    }

    /// <summary>
    /// Ends the run (exit code 0: finished, otherwise failed), then waits up to
    /// <see cref="RunSettings.FinishTimeout"/> for every frame to be acknowledged. Calling it again returns the first result.
    /// </summary>
    public Task<FinishResult> FinishAsync(int exitCode = 0) => FinishAsync(exitCode, failure: null);

    /// <summary>
    /// Marks the run failed because of <paramref name="exception"/> (its type, message and stack are
    /// shown on the run page) and finishes it.
    /// </summary>
    public Task<FinishResult> FailAsync(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        _settings.Warn($"run {Id} failed: {exception.GetType().Name}: {exception.Message}");
        return FinishAsync(exitCode: 1, RunFailures.Of(exception));
    }

    private Task<FinishResult> FinishAsync(int exitCode, RunFailure? failure)
    {
        lock (_stepLock)
            return _finishing ??= FinishCoreAsync(exitCode, failure);
    }

    private async Task<FinishResult> FinishCoreAsync(int exitCode, RunFailure? failure)
    {
        _system?.Dispose();
        // The console's last lines (the failure's own message among them) go before the finish.
        _consoleCapture?.Dispose();
        _console?.Dispose();
        // Media logged before the finish is sent before it.
        await _media.CompleteAsync(_settings.FinishTimeout);
        _uplink.Enqueue(new RunFrame { Finished = new RunFinished { ExitCode = exitCode, Failure = failure } });
        var result = await _uplink.CompleteAsync(_settings.FinishTimeout);
        if (_settings.Offline)
            _settings.Warn($"run {Id} is offline: {result.Unacknowledged} frame(s) spooled in {result.SpoolDirectory}; upload them with `runstream sync {result.SpoolDirectory}`.");
        else if (result.Unacknowledged > 0)
            _settings.Warn($"run {Id}: {result.Unacknowledged} frame(s) were not acknowledged within {_settings.FinishTimeout.TotalSeconds:0.#} s; they are kept in {result.SpoolDirectory}: upload them with `runstream sync {result.SpoolDirectory}`.");
        return result;
    }

    /// <summary>Finishes the run (exit code 0) unless it was finished already.</summary>
    public async ValueTask DisposeAsync()
    {
        await FinishAsync();
        await _uplink.DisposeAsync();
    }
}

/// <summary>How a run's finish went: frames acknowledged, those not (yet), and where the spool keeps them.</summary>
public sealed record FinishResult(long Acknowledged, long Unacknowledged, string SpoolDirectory)
{
    public bool Complete => Unacknowledged == 0;
}

public sealed record LoggedArtifact(string Name, string Type, string Digest, long Size, IReadOnlyList<string> Files);

/// <summary>An artifact version a run used, and the folder its files were downloaded to.</summary>
public sealed record UsedArtifact(string Name, string Version, string Digest, string Directory);

internal static class RunIds
{
    private const string Alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";

    /// <summary>8 random base-36 characters, like W&amp;B's run ids.</summary>
    public static string NewId() => string.Create(8, 0, (chars, _) =>
    {
        for (var i = 0; i < chars.Length; i++)
            chars[i] = Alphabet[Random.Shared.Next(Alphabet.Length)];
    });

    /// <summary>Project names and run ids as Ingest accepts them: 1 to 128 letters, digits, '-', '_' or '.'.</summary>
    public static void EnsureValid(string? value, string name)
    {
        if (string.IsNullOrEmpty(value) || value.Length > 128 || value is "." or ".."
            || !value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
            throw new ArgumentException($"RunSettings.{name} '{value}' must be 1 to 128 letters, digits, '-', '_' or '.'.", name);
    }
}
