using Runstream.Contracts.Bus;

namespace Runstream.Store.Runs;

/// <summary>
/// A frame that arrived before its predecessor (a client re-sent frames after a crash of Ingest,
/// say). It waits here, rather than in a retry loop that would hold up the frames behind it,
/// until the predecessor is applied; then it is applied and deleted in one transaction.
/// </summary>
public sealed class ParkedFrame
{
    /// <summary><c>entity/project/run/sequence</c>: parking the same frame twice keeps one copy.</summary>
    public string Id { get; set; } = "";
    public string RunKey { get; set; } = "";
    public long Sequence { get; set; }
    public DateTimeOffset ParkedAt { get; set; }
    public RunFrameReceived Frame { get; set; } = null!;

    public static string IdOf(string runKey, long sequence) => $"{runKey}/{sequence:D12}";

    public static ParkedFrame Of(string runKey, RunFrameReceived frame) => new()
    {
        Id = IdOf(runKey, frame.Sequence),
        RunKey = runKey,
        Sequence = frame.Sequence,
        ParkedAt = DateTimeOffset.UtcNow,
        Frame = frame,
    };
}
