using Runstream.Contracts.Bus;

namespace Runstream.Projections.Runs.ApplyingFrames;

public static class FrameBatches
{
    /// <summary>
    /// Splits frames into parts of at most <paramref name="maxBytes"/> of payload each, inline or
    /// spilled (a frame larger than that is a part of its own), keeping their order.
    /// </summary>
    public static IEnumerable<IReadOnlyList<RunFrameReceived>> ByBytes(IReadOnlyList<RunFrameReceived> frames, long maxBytes)
    {
        var part = new List<RunFrameReceived>();
        long bytes = 0;
        foreach (var frame in frames)
        {
            var size = Math.Max(frame.FrameBytes, frame.Frame.Length);
            if (part.Count > 0 && bytes + size > maxBytes)
            {
                yield return part;
                part = [];
                bytes = 0;
            }
            part.Add(frame);
            bytes += size;
        }
        if (part.Count > 0)
            yield return part;
    }
}
