namespace Runstream.Ingest.Frames;

/// <summary>
/// The sequence numbers one stream has accepted for one run, as disjoint ranges: a stream sends in
/// order almost always, so this stays one range however long the stream, and a few when a client
/// sends out of order. Ingest accepts a run's frames in any order (Projections applies them in
/// sequence order); this only spares the broker a second copy of a frame sent twice on one stream.
/// </summary>
public sealed class SequenceSet
{
    // Start of each range -> its end, both inclusive; ranges never touch or overlap.
    private readonly SortedList<long, long> _ranges = [];

    public int RangeCount => _ranges.Count;

    public bool Contains(long sequence) => RangeAtOrBefore(sequence) is var at and >= 0 && _ranges.Values[at] >= sequence;

    /// <summary>Adds <paramref name="sequence"/>; false when it was there already.</summary>
    public bool Add(long sequence)
    {
        var before = RangeAtOrBefore(sequence);
        if (before >= 0 && _ranges.Values[before] >= sequence)
            return false;

        var after = before + 1;
        var joinsBefore = before >= 0 && _ranges.Values[before] == sequence - 1;
        var joinsAfter = after < _ranges.Count && _ranges.Keys[after] == sequence + 1;
        var end = joinsAfter ? _ranges.Values[after] : sequence;
        if (joinsAfter)
            _ranges.RemoveAt(after);
        if (joinsBefore)
            _ranges[_ranges.Keys[before]] = end;
        else
            _ranges.Add(sequence, end);
        return true;
    }

    /// <summary>The index of the last range starting at or before <paramref name="sequence"/>, or -1.</summary>
    private int RangeAtOrBefore(long sequence)
    {
        int low = 0, high = _ranges.Count - 1, found = -1;
        while (low <= high)
        {
            var middle = (low + high) / 2;
            if (_ranges.Keys[middle] <= sequence)
            {
                found = middle;
                low = middle + 1;
            }
            else
                high = middle - 1;
        }
        return found;
    }
}
