using Runstream.Contracts.Bus;
using Runstream.Projections.Runs.ApplyingFrames;

namespace Runstream.UnitTests;

public sealed class FramePlanTests
{
    private static RunFrameReceived Frame(long sequence) =>
        new() { Entity = "e", Project = "p", RunId = "r", Sequence = sequence, ReceivedAt = DateTimeOffset.UnixEpoch };

    private static Dictionary<long, RunFrameReceived?> Parked(params long[] sequences) =>
        sequences.ToDictionary(s => s, s => (RunFrameReceived?)Frame(s));

    [Fact]
    public void Frames_in_any_order_apply_in_sequence_up_to_the_first_gap_and_the_rest_park()
    {
        var plan = FramePlan.For(lastApplied: 4, [Frame(7), Frame(5), Frame(9), Frame(6)], Parked());

        Assert.Equal([5L, 6L, 7L], plan.Apply.Select(f => f.Sequence));
        Assert.Equal([9L], plan.Park.Select(f => f.Sequence));
        Assert.Empty(plan.Unpark);
    }

    [Fact]
    public void A_missing_predecessor_releases_the_parked_chain_behind_it()
    {
        var plan = FramePlan.For(lastApplied: 1, [Frame(2)], Parked(3, 4, 6));

        Assert.Equal([2L, 3L, 4L], plan.Apply.Select(f => f.Sequence));
        Assert.Equal([3L, 4L], plan.Unpark);
        Assert.Empty(plan.Park);
    }

    [Fact]
    public void Duplicates_are_dropped_and_parked_copies_of_applied_frames_cleared()
    {
        var plan = FramePlan.For(lastApplied: 5, [Frame(3), Frame(6), Frame(6), Frame(8)], Parked(4, 8));

        Assert.Equal([6L], plan.Apply.Select(f => f.Sequence));
        Assert.Empty(plan.Park);
        Assert.Equal([4L], plan.Unpark);
    }

    [Fact]
    public void Only_the_parked_frames_that_continue_the_chain_are_loaded()
    {
        Assert.Equal([3L, 4L], FramePlan.ParkedNeeded(1, new HashSet<long> { 2 }, new HashSet<long> { 3, 4, 6, 7 }));
        Assert.Empty(FramePlan.ParkedNeeded(1, new HashSet<long>(), new HashSet<long> { 3, 4 }));
    }

    [Fact]
    public void A_parked_frame_needed_but_not_loaded_is_a_bug_that_says_so()
    {
        var parked = new Dictionary<long, RunFrameReceived?> { [2] = null };
        Assert.Throws<InvalidOperationException>(() => FramePlan.For(1, [], parked));
    }

    [Fact]
    public void Large_frames_are_split_into_transactions_by_bytes_in_order()
    {
        var frames = new[] { 6, 6, 1, 12, 2 }.Select((megabytes, i) => Frame(i + 1) with { Frame = new byte[megabytes * 1024 * 1024] }).ToList();
        var parts = FrameBatches.ByBytes(frames, 8 * 1024 * 1024).Select(part => part.Select(f => f.Sequence).ToArray()).ToList();

        Assert.Equal([[1L], [2L, 3L], [4L], [5L]], parts);
    }

    [Fact]
    public void A_rewind_after_other_frames_waits_with_what_follows_it_and_parked_frames_stay_parked()
    {
        var plan = FramePlan.For(lastApplied: 1, [Frame(2), Frame(3), Frame(5)], Parked(4, 9)).HoldBackFrom(3);

        Assert.Equal([2L], plan.Apply.Select(f => f.Sequence));
        Assert.Equal([3L, 5L], plan.Park.Select(f => f.Sequence));
        Assert.Empty(plan.Unpark);
    }

    [Fact]
    public void Only_a_rewind_that_follows_other_events_is_held_back()
    {
        var rewind = new Store.Runs.RunRewound(3, 10, Store.Runs.RunState.Finished, Store.Runs.SummaryAtStep.Empty, DateTimeOffset.UnixEpoch);
        var metrics = new Store.Runs.MetricsLogged(2, []);
        Assert.Equal(1, FramePlan.RewindAfterOthers([metrics, rewind, metrics]));
        Assert.Null(FramePlan.RewindAfterOthers([rewind, metrics]));
        // A rewind first, then another: the first applies now, the second waits.
        Assert.Equal(2, FramePlan.RewindAfterOthers([rewind, metrics, rewind]));
        Assert.Null(FramePlan.RewindAfterOthers([metrics, metrics]));
    }
}
