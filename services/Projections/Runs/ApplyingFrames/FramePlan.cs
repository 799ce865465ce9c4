using Runstream.Contracts.Bus;

namespace Runstream.Projections.Runs.ApplyingFrames;

/// <summary>
/// What to do with a run's frames at hand, given the last sequence applied: apply the unbroken
/// chain that follows it, in order; park what lies beyond a gap; drop duplicates. Pure, so the
/// rule that makes delivery exactly-once and in order is tested apart from the database.
/// </summary>
/// <param name="Apply">Frames to apply now, in sequence order.</param>
/// <param name="Park">Frames that arrived beyond a gap and are not parked yet.</param>
/// <param name="Unpark">Parked sequences now applied, or duplicates of applied frames: their parked copies go.</param>
public sealed record FramePlan(IReadOnlyList<RunFrameReceived> Apply, IReadOnlyList<RunFrameReceived> Park, IReadOnlyList<long> Unpark)
{
    /// <param name="lastApplied">The run's last applied sequence (0 for a run not started).</param>
    /// <param name="arrived">Frames delivered now, in any order, duplicates included.</param>
    /// <param name="parked">
    /// Every parked sequence of the run, with its frame where loaded. Only the frames
    /// <see cref="ParkedNeeded"/> names must be loaded; the others may be null.
    /// </param>
    public static FramePlan For(long lastApplied, IEnumerable<RunFrameReceived> arrived, IReadOnlyDictionary<long, RunFrameReceived?> parked)
    {
        var arrivedBySequence = arrived.DistinctBy(f => f.Sequence).ToDictionary(f => f.Sequence);
        var apply = new List<RunFrameReceived>();
        var park = new List<RunFrameReceived>();
        var unpark = new List<long>();
        var next = lastApplied + 1;
        foreach (var sequence in arrivedBySequence.Keys.Union(parked.Keys).Order())
        {
            var isParked = parked.TryGetValue(sequence, out var parkedFrame);
            if (sequence > next)
            {
                if (!isParked)
                    park.Add(arrivedBySequence[sequence]);
                continue;
            }
            if (sequence == next)
            {
                apply.Add(arrivedBySequence.GetValueOrDefault(sequence) ?? parkedFrame
                    ?? throw new InvalidOperationException($"Parked frame {sequence} is needed but was not loaded."));
                next++;
            }
            if (isParked)
                unpark.Add(sequence);
        }
        return new FramePlan(apply, park, unpark);
    }

    /// <summary>
    /// The plan with the frames from <paramref name="sequence"/> on held back for the next look: parked, or left parked.
    /// A rewind is applied first in its transaction, after the frames before it are committed (its summary is read
    /// from the run's committed history).
    /// </summary>
    public FramePlan HoldBackFrom(long sequence)
    {
        var held = Apply.Where(f => f.Sequence >= sequence).ToList();
        var heldSequences = held.Select(f => f.Sequence).ToHashSet();
        return new FramePlan([.. Apply.Where(f => f.Sequence < sequence)], [.. Park, .. held.Where(f => !Unpark.Contains(f.Sequence))],
            [.. Unpark.Where(s => !heldSequences.Contains(s))]);
    }

    /// <summary>
    /// Where in <paramref name="events"/> the first rewind that follows other events of the run stands: the events from
    /// it on wait, and so do their frames (<see cref="HoldBackFrom"/> its sequence).
    /// </summary>
    public static int? RewindAfterOthers(IReadOnlyList<object> events)
    {
        for (var i = 1; i < events.Count; i++)
            if (events[i] is Store.Runs.RunRewound)
                return i;
        return null;
    }

    /// <summary>
    /// The parked frames worth loading: those that continue the chain after <paramref name="lastApplied"/>
    /// once the frames that arrived are applied. The rest stay in the database, however many and large.
    /// </summary>
    public static IEnumerable<long> ParkedNeeded(long lastApplied, IReadOnlySet<long> arrived, IReadOnlySet<long> parked)
    {
        for (var next = lastApplied + 1; arrived.Contains(next) || parked.Contains(next); next++)
            if (!arrived.Contains(next))
                yield return next;
    }
}
