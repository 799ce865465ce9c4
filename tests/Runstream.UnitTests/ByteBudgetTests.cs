using Runstream.Ingest.Security;

namespace Runstream.UnitTests;

public sealed class ByteBudgetTests
{
    private sealed class ManualClock : TimeProvider
    {
        public long Ticks { get; set; }
        public override long GetTimestamp() => Ticks;
        public override long TimestampFrequency => TimeSpan.TicksPerSecond;
        public void Advance(TimeSpan by) => Ticks += by.Ticks;
    }

    [Fact]
    public void A_message_larger_than_a_second_is_taken_and_the_next_waits_it_out()
    {
        var clock = new ManualClock();
        var budget = new ByteBudget(1_000_000, clock);
        Assert.Null(budget.TryTake(16_000_000));
        var wait = budget.TryTake(1);
        Assert.NotNull(wait);
        Assert.InRange(wait.Value.TotalSeconds, 14.9, 15.1);

        clock.Advance(TimeSpan.FromSeconds(15.1));
        Assert.Null(budget.TryTake(1));
    }

    [Fact]
    public void The_rate_holds_over_many_small_messages_and_unused_time_banks_one_second_at_most()
    {
        var clock = new ManualClock();
        var budget = new ByteBudget(1000, clock);
        clock.Advance(TimeSpan.FromMinutes(10));
        var taken = 0;
        while (budget.TryTake(100) is null)
            taken += 100;
        Assert.Equal(1000, taken);

        for (var tenth = 0; tenth < 10; tenth++)
        {
            clock.Advance(TimeSpan.FromMilliseconds(100));
            Assert.Null(budget.TryTake(100));
        }
        Assert.NotNull(budget.TryTake(100));
    }
}
