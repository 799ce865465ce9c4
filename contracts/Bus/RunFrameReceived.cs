namespace Runstream.Contracts.Bus;

/// <summary>
/// One frame of a run, accepted by Ingest and held by the broker until Projections applies it.
/// </summary>
/// <remarks>
/// Every kind of frame travels as this one message so that a run's frames share one queue
/// and one consumer, which is what lets Projections apply them in sequence order.
/// The payload stays in its protobuf wire form: it is about a third of the size of the
/// same metrics as JSON, and JSON is the bus's main cost.
/// </remarks>
public sealed record RunFrameReceived
{
    public required string Entity { get; init; }
    public required string Project { get; init; }
    public required string RunId { get; init; }
    public required long Sequence { get; init; }
    public required DateTimeOffset ReceivedAt { get; init; }

    /// <summary>The serialized <c>runstream.v1.RunFrame</c>; empty when the frame was rejected or spilled.</summary>
    public byte[] Frame { get; init; } = [];

    /// <summary>
    /// For a large frame, the SHA-256 under which Ingest kept its payload on the blob volume instead
    /// of in this message (<c>Blobs.SpilledFrames</c>); <see cref="Frame"/> is empty then.
    /// </summary>
    public string? SpilledFrame { get; init; }

    /// <summary>The payload's size in bytes, inline or spilled: what a consumer bounds its transactions by.</summary>
    public long FrameBytes { get; init; }

    /// <summary>Why Ingest rejected the frame; it still takes its place in the run's sequence.</summary>
    public string? Rejection { get; init; }

    /// <summary>
    /// Set on a progress probe instead of a frame (sequence 0, no payload): Ingest queues one behind
    /// a run's frames when a client resumes the run, and Projections answers it under this id once
    /// everything queued before it is applied, so the answer about the run is not stale.
    /// </summary>
    public string? ProgressProbe { get; init; }
}
