using Runstream.Client.Uplink;

namespace Runstream.UnitTests;

public sealed class FrameBatcherTests
{
    [Fact]
    public void Rows_share_one_key_table_and_keep_their_values_in_order()
    {
        var batcher = new FrameBatcher();
        batcher.Add(new MetricRowItem(0, 1000, ["loss", "accuracy"], [1.0, 0.1]));
        batcher.Add(new MetricRowItem(1, 1001, ["accuracy", "lr"], [0.2, double.NaN]));

        var frame = batcher.Take()!;
        Assert.Equal(["loss", "accuracy", "lr"], frame.Metrics.Keys);
        Assert.Equal([0u, 1u], frame.Metrics.Rows[0].KeyIndexes);
        Assert.Equal([1u, 2u], frame.Metrics.Rows[1].KeyIndexes);
        Assert.Equal(0.2, frame.Metrics.Rows[1].Values[0]);
        Assert.True(double.IsNaN(frame.Metrics.Rows[1].Values[1]));
        Assert.Equal(1, frame.Metrics.Rows[1].Step);
    }

    [Fact]
    public void Taking_starts_a_fresh_batch()
    {
        var batcher = new FrameBatcher();
        Assert.Null(batcher.Take());
        batcher.Add(new MetricRowItem(0, 0, ["a"], [1]));
        Assert.NotNull(batcher.Take());
        Assert.Equal(0, batcher.RowCount);
        batcher.Add(new MetricRowItem(1, 0, ["b"], [2]));
        Assert.Equal(["b"], batcher.Take()!.Metrics.Keys);
    }
}
