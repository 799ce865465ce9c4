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
}
