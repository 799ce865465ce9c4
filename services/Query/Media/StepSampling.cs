namespace Runstream.Query.Media;

/// <summary>Which steps of a long media history to serve.</summary>
public static class StepSampling
{
    /// <summary>
    /// At most <paramref name="count"/> of the ascending <paramref name="steps"/>, evenly spread, always with the
    /// first and the last (a slider over them then spans the whole run).
    /// </summary>
    public static long[] Pick(IReadOnlyList<long> steps, int count)
    {
        if (steps.Count <= count)
            return [.. steps];
        if (count == 1)
            return [steps[^1]];
        var picked = new long[count];
        for (var i = 0; i < count; i++)
            picked[i] = steps[(int)Math.Round(i * (steps.Count - 1) / (double)(count - 1))];
        return picked;
    }
}
