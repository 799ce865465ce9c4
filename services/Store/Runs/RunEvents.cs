using System.Text.Json.Nodes;
using Runstream.Contracts.V1;

namespace Runstream.Store.Runs;

// The events of a run's stream. Each frame a training job sends becomes exactly one event
// that carries the frame's sequence number; the server adds events of its own (a run that
// went silent crashed, say), which carry none.

/// <summary>An event made from a frame, in the frame's place in the run's sequence.</summary>
public interface IFrameEvent
{
    long Sequence { get; }
}

/// <summary>
/// A run began. A fork (<paramref name="ForkedFrom"/>) starts with its parent's history up to the fork step, read
/// through the parent (a reference, not a copy), and with the summary that history gave (<paramref name="Inherited"/>).
/// </summary>
public sealed record RunStarted(
    long Sequence,
    string Entity,
    string Project,
    string RunId,
    string? Name,
    string? Notes,
    string[] Tags,
    string? Group,
    string? JobType,
    JsonObject Config,
    DateTimeOffset StartedAt,
    RunEnvironment? Environment = null,
    ForkPoint? ForkedFrom = null,
    SummaryAtStep? Inherited = null) : IFrameEvent;

public sealed record RunConfigUpdated(long Sequence, JsonObject Changes) : IFrameEvent;

/// <summary>Metric rows as sent: the protobuf <see cref="Contracts.V1.MetricsLogged"/> bytes, packed and compact.</summary>
public sealed record MetricsLogged(long Sequence, byte[] Rows) : IFrameEvent
{
    public Contracts.V1.MetricsLogged Decode() => Contracts.V1.MetricsLogged.Parser.ParseFrom(Rows);
}

/// <summary>
/// Images, tables and histograms as sent: the protobuf <see cref="Contracts.V1.MediaLogged"/> bytes (files named by
/// digest); <paramref name="Bytes"/> is the size of the files they name, counted against the run's media limit.
/// </summary>
public sealed record MediaLogged(long Sequence, byte[] Media, long Bytes) : IFrameEvent
{
    public Contracts.V1.MediaLogged Decode() => Contracts.V1.MediaLogged.Parser.ParseFrom(Media);
}

/// <summary>Summary values set explicitly: numbers, and (since summaries hold them) strings and booleans.</summary>
public sealed record SummaryUpdated(long Sequence, Dictionary<string, double> Values,
    Dictionary<string, string>? Strings = null, Dictionary<string, bool>? Booleans = null) : IFrameEvent;

/// <summary>
/// A run made (logged) an artifact; entity and project name the collection it belongs to.
/// <paramref name="AcceptedAt"/> is when Ingest accepted the frame: it orders new versions (events
/// recorded before it existed have the default, and keep the order they were applied in).
/// </summary>
public sealed record ArtifactLogged(
    long Sequence,
    string Entity,
    string Project,
    string Name,
    string Type,
    string Digest,
    long Size,
    ArtifactFileEntry[] Files,
    string[] Aliases,
    string? Description,
    DateTimeOffset LoggedAt,
    DateTimeOffset AcceptedAt = default) : IFrameEvent;

public sealed record ArtifactFileEntry(string Path, string Digest, long Size);

/// <summary>The run read an artifact version (its input: the lineage of what it made).</summary>
public sealed record ArtifactUsed(long Sequence, string Entity, string Project, string Name, string Version, string Digest, DateTimeOffset UsedAt) : IFrameEvent;

/// <summary>
/// Tags, notes or the name changed after the start: by the run itself (a frame, with its sequence) or
/// from the dashboard (sequence 0: an edit is no frame of the run's own; <paramref name="EditedBy"/> is the API
/// key's id, for the audit trail). Null fields are left as they are.
/// </summary>
public sealed record RunEdited(long Sequence, string? Notes, string[]? Tags, DateTimeOffset EditedAt, string? Name = null, string? EditedBy = null) : IFrameEvent;

/// <summary>A client continued the run; <paramref name="PreviousState"/> is where it stood.</summary>
public sealed record RunResumed(long Sequence, RunState PreviousState, DateTimeOffset ResumedAt) : IFrameEvent;

/// <summary>The run ended; <paramref name="Failure"/> is the exception that ended it, when the SDK caught one.</summary>
public sealed record RunFinished(long Sequence, int ExitCode, DateTimeOffset FinishedAt, RunFailure? Failure = null) : IFrameEvent;

/// <summary>
/// How a metric (or, <paramref name="Name"/> ending in '*', every key with that prefix) is
/// summarised (<see cref="MetricSummaries"/>) and charted (against <paramref name="StepMetric"/>).
/// Null fields leave the definition as it was.
/// </summary>
public sealed record MetricDefined(long Sequence, string Name, string? Summary, string? StepMetric) : IFrameEvent;

/// <summary>
/// Console lines, numbered from <paramref name="FirstLine"/> within the run, as kept under the limits
/// of <see cref="ConsoleOutput.ConsoleLimits"/> (<paramref name="Bytes"/> is their UTF-8 size). Once the run's
/// output reached its limit (<paramref name="LimitReached"/>), later frames keep no lines.
/// </summary>
public sealed record ConsoleLogged(long Sequence, long FirstLine, ConsoleOutput.ConsoleLine[] Lines, long Bytes, bool LimitReached) : IFrameEvent;

/// <summary>A frame Ingest refused; recorded so the run's history says what was lost and why.</summary>
public sealed record FrameRejected(long Sequence, string Reason) : IFrameEvent;

/// <summary>The server's word: the run was running but has not been heard from since <paramref name="LastSeenAt"/>.</summary>
public sealed record RunCrashed(DateTimeOffset LastSeenAt);

/// <summary>A run marked crashed spoke again (a frame or a heartbeat): it is running after all.</summary>
public sealed record RunRevived(DateTimeOffset At);
