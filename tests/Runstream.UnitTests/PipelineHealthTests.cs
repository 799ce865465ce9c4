using Runstream.Projections.Bus;

namespace Runstream.UnitTests;

public sealed class PipelineHealthTests
{
    private sealed class ManualClock : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = DateTimeOffset.UnixEpoch;
        public override DateTimeOffset GetUtcNow() => Now;
    }

    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan Tolerance = TimeSpan.FromSeconds(1);

    [Fact]
    public void Not_caught_up_while_a_consumer_fails_nor_while_batches_arrive_late()
    {
        var clock = new ManualClock();
        var health = new PipelineHealth(clock);
        Assert.False(health.IsCaughtUp(Settle)); // just started: the queues may hold a backlog

        clock.Now += TimeSpan.FromSeconds(5);
        Assert.True(health.IsCaughtUp(Settle));

        health.Failed("frames");
        clock.Now += TimeSpan.FromMinutes(4);
        Assert.False(health.IsCaughtUp(Settle));

        // The database is back: the backlog is read, its first batches minutes late.
        health.Stored("frames", clock.Now - TimeSpan.FromMinutes(4), Tolerance);
        clock.Now += TimeSpan.FromSeconds(5);
        health.Stored("frames", clock.Now - TimeSpan.FromSeconds(2), Tolerance);
        Assert.False(health.IsCaughtUp(Settle));

        health.Stored("frames", clock.Now - TimeSpan.FromMilliseconds(50), Tolerance);
        clock.Now += TimeSpan.FromSeconds(2);
        Assert.False(health.IsCaughtUp(Settle));
        clock.Now += TimeSpan.FromSeconds(1);
        Assert.True(health.IsCaughtUp(Settle));
    }

    [Fact]
    public void Storage_retries_back_off_by_doubling_up_to_the_maximum()
    {
        var min = TimeSpan.FromMilliseconds(100);
        var max = TimeSpan.FromSeconds(15);
        Assert.Equal([100.0, 200, 400, 800], Enumerable.Range(0, 4).Select(attempt => StorageRetry.Backoff(attempt, min, max).TotalMilliseconds));
        Assert.Equal(max, StorageRetry.Backoff(10, min, max));
        Assert.Equal(max, StorageRetry.Backoff(1_000, min, max));
    }
}
