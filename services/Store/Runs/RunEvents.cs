using System.Text.Json.Nodes;
using Runstream.Contracts.V1;

namespace Runstream.Store.Runs;

// The events of a run's stream. Each frame a training job sends becomes exactly one event,
// so a run's stream version equals the sequence number of its last applied frame.

public sealed record RunStarted(
    string Entity,
    string Project,
    string RunId,
    string? Name,
    string? Notes,
    string[] Tags,
    string? Group,
    string? JobType,
    JsonObject Config,
    DateTimeOffset StartedAt);

public sealed record RunConfigUpdated(JsonObject Changes);

/// <summary>Metric rows as sent: the protobuf <see cref="Contracts.V1.MetricsLogged"/> bytes, packed and compact.</summary>
public sealed record MetricsLogged(byte[] Rows)
{
    public Contracts.V1.MetricsLogged Decode() => Contracts.V1.MetricsLogged.Parser.ParseFrom(Rows);
}

public sealed record SummaryUpdated(Dictionary<string, double> Values);

/// <summary>A run made (logged) an artifact; entity and project name the collection it belongs to.</summary>
public sealed record ArtifactLogged(
    string Entity,
    string Project,
    string Name,
    string Type,
    string Digest,
    long Size,
    ArtifactFileEntry[] Files,
    string[] Aliases,
    string? Description,
    DateTimeOffset LoggedAt);

public sealed record ArtifactFileEntry(string Path, string Digest, long Size);

public sealed record RunFinished(int ExitCode, DateTimeOffset FinishedAt);

/// <summary>A frame Ingest refused; recorded so the run's history says what was lost and why.</summary>
public sealed record FrameRejected(long Sequence, string Reason);
