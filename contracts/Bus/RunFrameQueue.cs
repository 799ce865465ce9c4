namespace Runstream.Contracts.Bus;

public static class RunFrameQueue
{
    /// <summary>
    /// Ingest sends frames straight to this durable queue rather than publishing to an exchange:
    /// a published message with no queue bound yet would be dropped after the broker confirmed it,
    /// which would break "ack means durable" whenever Projections has never run.
    /// </summary>
    public const string DefaultName = "run-frames";

    /// <summary>Heartbeats travel apart from frames: they are frequent, unordered and never acknowledged.</summary>
    public const string DefaultHeartbeatName = "run-heartbeats";

    /// <summary>
    /// The queue of one partition. With one partition it is the queue itself; with N, Projections
    /// instance i consumes "<c>name-i</c>" alone, so only one instance ever applies a given run's frames.
    /// </summary>
    public static string PartitionQueue(string name, int partitions, int partition) =>
        partitions <= 1 ? name : $"{name}-{partition}";

    /// <summary>The partition of a run: a stable hash of its key (FNV-1a), the same in every Ingest instance and version.</summary>
    public static int PartitionOf(string entity, string project, string runId, int partitions)
    {
        if (partitions <= 1)
            return 0;
        var hash = 2166136261u;
        foreach (var part in (ReadOnlySpan<string>)[entity, project, runId])
        {
            foreach (var c in part)
                hash = (hash ^ c) * 16777619u;
            hash = (hash ^ '/') * 16777619u;
        }
        return (int)(hash % (uint)partitions);
    }
}
