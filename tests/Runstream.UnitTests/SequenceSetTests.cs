using Runstream.Ingest.Frames;

namespace Runstream.UnitTests;

public sealed class SequenceSetTests
{
    [Fact]
    public void In_order_sequences_stay_one_range_and_a_repeat_is_known()
    {
        var set = new SequenceSet();
        for (var sequence = 1; sequence <= 10_000; sequence++)
            Assert.True(set.Add(sequence));
        Assert.Equal(1, set.RangeCount);
        Assert.False(set.Add(5_000));
        Assert.True(set.Contains(1) && set.Contains(10_000));
        Assert.False(set.Contains(10_001));
    }

    [Fact]
    public void Out_of_order_sequences_merge_when_the_gaps_fill()
    {
        var set = new SequenceSet();
        foreach (var sequence in new long[] { 2, 3, 6, 1, 5 })
            Assert.True(set.Add(sequence));
        Assert.Equal(2, set.RangeCount);
        Assert.False(set.Contains(4));
        Assert.True(set.Add(4));
        Assert.Equal(1, set.RangeCount);
        Assert.False(set.Add(6));
    }
}
