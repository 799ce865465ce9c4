using Runstream.Contracts.V1;
using Runstream.Store.Metrics;

namespace Runstream.UnitTests;

public sealed class MetricChunkTests
{
    [Fact]
    public void A_frame_splits_into_one_chunk_per_key_in_logging_order()
    {
        var batch = new MetricsLogged
        {
            Keys = { "loss", "accuracy", "unused" },
            Rows =
            {
                new MetricRow { Step = 0, TimeUnixMs = 10, KeyIndexes = { 0, 1 }, Values = { 1.0, 0.1 } },
                new MetricRow { Step = 1, TimeUnixMs = 11, KeyIndexes = { 0 }, Values = { 0.5 } },
                new MetricRow { Step = 0, TimeUnixMs = 12, KeyIndexes = { 0 }, Values = { double.NaN } },
            },
        };

        var chunks = MetricChunk.Split(batch).ToDictionary(c => c.Key);

        Assert.Equal(["loss", "accuracy"], chunks.Keys);
        Assert.Equal([0L, 1L, 0L], chunks["loss"].Steps);
        Assert.Equal([10L, 11L, 12L], chunks["loss"].Times);
        Assert.Equal(0.5, chunks["loss"].Values[1]);
        Assert.True(double.IsNaN(chunks["loss"].Values[2]));
        Assert.Equal([0L], chunks["accuracy"].Steps);
    }
}
