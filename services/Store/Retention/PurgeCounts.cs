namespace Runstream.Store.Retention;

/// <summary>What a purge removed: events, rows of each kind, artifact versions and files on the blob volume.</summary>
public sealed record PurgeCounts
{
    public int Runs { get; init; }
    public long Events { get; init; }
    public long Streams { get; init; }
    /// <summary>Read-model documents: run details, environment, liveness, parked frames.</summary>
    public long Documents { get; init; }
    public long MetricChunks { get; init; }
    public long ConsoleLines { get; init; }
    public long MediaCells { get; init; }
    /// <summary>Artifact versions no remaining run logged or used.</summary>
    public long ArtifactVersions { get; init; }
    /// <summary>Blobs removed (artifact and media files no one else references) and spilled frames.</summary>
    public long Blobs { get; init; }

    public static PurgeCounts operator +(PurgeCounts a, PurgeCounts b) => new()
    {
        Runs = a.Runs + b.Runs,
        Events = a.Events + b.Events,
        Streams = a.Streams + b.Streams,
        Documents = a.Documents + b.Documents,
        MetricChunks = a.MetricChunks + b.MetricChunks,
        ConsoleLines = a.ConsoleLines + b.ConsoleLines,
        MediaCells = a.MediaCells + b.MediaCells,
        ArtifactVersions = a.ArtifactVersions + b.ArtifactVersions,
        Blobs = a.Blobs + b.Blobs,
    };
}
