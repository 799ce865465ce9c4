namespace Runstream.Client;

/// <summary>What a run is and where it goes. Only <see cref="Project"/> is required.</summary>
public sealed record RunSettings
{
    /// <summary>The project the run belongs to; created on first use.</summary>
    public required string Project { get; init; }
    public string? Name { get; init; }
    public string? Notes { get; init; }
    public IReadOnlyList<string> Tags { get; init; } = [];
    public string? Group { get; init; }
    public string? JobType { get; init; }

    /// <summary>Hyperparameters: an anonymous object, a dictionary or any JSON-serializable object; nested is fine.</summary>
    public object? Config { get; init; }

    /// <summary>The run's id; a random 8-character id when not set.</summary>
    public string? Id { get; init; }

    /// <summary>What to do when <see cref="Id"/> names a run that exists: continue it or refuse.</summary>
    public ResumeMode Resume { get; init; } = ResumeMode.Never;

    /// <summary>
    /// Start a new run whose history is this run's up to the step (read through it: a reference, not a copy), with
    /// its config updated by <see cref="Config"/>; the new run's steps start after it. wandb's <c>fork_from</c>.
    /// </summary>
    public RunStepReference? ForkFrom { get; init; }

    /// <summary>
    /// Continue this run from the step: what it logged after it is superseded (its events stay, for the audit trail)
    /// and its steps go on after it. wandb's <c>resume_from</c>; <see cref="Id"/>, if set, must name the same run.
    /// </summary>
    public RunStepReference? ResumeFrom { get; init; }

    /// <summary>
    /// Ingest's address, or several separated by commas (calls are balanced over them, and a run moves to another
    /// when its instance goes away); defaults to <c>RUNSTREAM_URL</c>, then http://127.0.0.1:5101.
    /// </summary>
    public string? Url { get; init; }

    /// <summary>Defaults to <c>RUNSTREAM_API_KEY</c>.</summary>
    public string? ApiKey { get; init; }

    /// <summary>
    /// A PEM file of the certificate authority that signed Ingest's certificate, for an https URL whose
    /// certificate the system does not trust (a private CA). Defaults to <c>RUNSTREAM_CA_FILE</c>.
    /// Certificates are always verified; this only adds a root to trust.
    /// </summary>
    public string? CaCertificatePath { get; init; }

    /// <summary>How long <see cref="Run.FinishAsync"/> waits for the last acknowledgement.</summary>
    public TimeSpan FinishTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Metric rows gathered into one frame at most; a frame also goes out after <see cref="FlushInterval"/>.</summary>
    public int MaxRowsPerFrame { get; init; } = 1000;
    public TimeSpan FlushInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Where frames are written before they are sent: one folder per run below it. Defaults to
    /// <c>RUNSTREAM_DIR</c>, then <c>./runstream</c>.
    /// </summary>
    public string? SpoolDirectory { get; init; }

    /// <summary>Only spool, send nothing (<c>RUNSTREAM_MODE=offline</c>); upload later with <c>runstream sync</c>.</summary>
    public bool Offline { get; init; } = Environment.GetEnvironmentVariable("RUNSTREAM_MODE") == "offline";

    /// <summary>
    /// Sends what the process writes to standard output and error as the run's console lines (they
    /// still reach the terminal), in a frame every <see cref="FlushInterval"/>.
    /// </summary>
    public bool CaptureConsole { get; init; } = true;

    /// <summary>
    /// How often CPU, memory, disk, network and GPU metrics are sampled and logged under "system/"
    /// (at the run's current step); <see cref="TimeSpan.Zero"/> turns them off.
    /// </summary>
    public TimeSpan SystemMetricsInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Records the git commit (and the diff of a dirty tree), the command line, the runtime, the host and the loaded assemblies at start.</summary>
    public bool RecordEnvironment { get; init; } = true;

    /// <summary>How often an idle run tells Ingest it is alive; a run silent for long is marked crashed.</summary>
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Called as each sent frame is acknowledged: for monitoring and benchmarks. Keep it quick.</summary>
    public Action<FrameAcknowledged>? OnAcknowledged { get; init; }

    /// <summary>Where warnings go (rejected frames, reconnects, unsent data); standard error by default.</summary>
    public Action<string> Warn { get; init; } = message => Console.Error.WriteLine($"runstream: {message}");

    internal string ResolveUrl() => Url ?? Environment.GetEnvironmentVariable("RUNSTREAM_URL") ?? "http://127.0.0.1:5101";
    internal string ResolveSpoolDirectory() =>
        SpoolDirectory ?? Environment.GetEnvironmentVariable("RUNSTREAM_DIR") ?? Path.Combine(Environment.CurrentDirectory, "runstream");

    internal string? ResolveApiKey() => ApiKey ?? Environment.GetEnvironmentVariable("RUNSTREAM_API_KEY");

    internal string? ResolveCaCertificatePath() => CaCertificatePath ?? Environment.GetEnvironmentVariable("RUNSTREAM_CA_FILE");
}

/// <summary>Ingest acknowledged a frame: <paramref name="Latency"/> from sending it to the ack.</summary>
public sealed record FrameAcknowledged(string RunId, long Sequence, int Points, TimeSpan Latency);
