using Runstream.Contracts.Bus;

namespace Runstream.UnitTests;

public sealed class PartitionTests
{
    [Fact]
    public void One_partition_is_the_queue_itself()
    {
        Assert.Equal("run-frames", RunFrameQueue.PartitionQueue("run-frames", 1, 0));
        Assert.Equal(0, RunFrameQueue.PartitionOf("team", "p", "r", 1));
        Assert.Equal("run-frames-2", RunFrameQueue.PartitionQueue("run-frames", 3, 2));
    }

    [Fact]
    public void A_run_always_lands_in_the_same_partition_and_runs_spread_over_all()
    {
        // Fixed values: the hash must never change between versions, or a rolling upgrade would split a run's frames.
        Assert.Equal(436, RunFrameQueue.PartitionOf("team-a", "cats", "run1", 1000));
        Assert.NotEqual(RunFrameQueue.PartitionOf("team-a", "cats", "run1", 1 << 20), RunFrameQueue.PartitionOf("team-a", "catsr", "un1", 1 << 20));
        var counts = new int[4];
        for (var i = 0; i < 4000; i++)
            counts[RunFrameQueue.PartitionOf("team-a", "cats", $"run-{i}", 4)]++;
        Assert.All(counts, count => Assert.InRange(count, 800, 1200));
    }
}
