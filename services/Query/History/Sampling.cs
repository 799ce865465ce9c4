namespace Runstream.Query.History;

/// <summary>A series reduced to buckets over its x axis; arrays in x order, one entry per non-empty bucket.</summary>
public sealed record SampledSeries(double[] X, double[] Min, double[] Max, double[] Last, int Count);

/// <summary>
/// W&amp;B's "full fidelity" sampling: the x range is cut into equal buckets and each keeps the min,
/// the max and the last point, so spikes survive however far a chart zooms out. With fewer points
/// than buckets every point is its own bucket. NaN points are kept as "last" but never become a
/// bucket's min or max unless the bucket holds nothing else.
/// </summary>
public static class Sampling
{
    public const int MaxBuckets = 10_000;

    /// <summary>The x of each point for the chosen axis, or null for points that have none (another key not logged at that step).</summary>
    public static (double[] X, double[] Y) Align(MetricSeries series, string xAxis, MetricSeries? xSeries)
    {
        switch (xAxis)
        {
            case "_step":
                return (Array.ConvertAll(series.Steps, s => (double)s), series.Values);
            case "_timestamp":
                return (Array.ConvertAll(series.TimesMs, t => t / 1000.0), series.Values);
            default:
                // Another key as x: the value it had at the same step; steps without it are left out.
                if (xSeries is null)
                    return ([], []);
                var xs = new List<double>(series.Count);
                var ys = new List<double>(series.Count);
                var j = 0;
                for (var i = 0; i < series.Count; i++)
                {
                    while (j < xSeries.Count && xSeries.Steps[j] < series.Steps[i])
                        j++;
                    if (j < xSeries.Count && xSeries.Steps[j] == series.Steps[i] && !double.IsNaN(xSeries.Values[j]))
                    {
                        xs.Add(xSeries.Values[j]);
                        ys.Add(series.Values[i]);
                    }
                }
                var x = xs.ToArray();
                var y = ys.ToArray();
                Array.Sort(x, y);
                return (x, y);
        }
    }

    /// <param name="x">Ascending.</param>
    public static SampledSeries Sample(double[] x, double[] y, int buckets) => Sample(x, y, buckets, x.Length == 0 ? 0 : x[0], x.Length == 0 ? 0 : x[^1]);

    /// <summary>Buckets over a given range (the same for every run of a grouped chart).</summary>
    public static SampledSeries Sample(double[] x, double[] y, int buckets, double from, double to)
    {
        if (x.Length <= buckets)
            return new SampledSeries(x, y, y, y, x.Length);

        var outX = new List<double>(buckets);
        var outMin = new List<double>(buckets);
        var outMax = new List<double>(buckets);
        var outLast = new List<double>(buckets);
        var width = (to - from) / buckets;
        var i = 0;
        while (i < x.Length)
        {
            var bucket = BucketOf(x[i], from, width, buckets);
            double min = double.NaN, max = double.NaN;
            for (; i < x.Length && BucketOf(x[i], from, width, buckets) == bucket; i++)
            {
                var v = y[i];
                if (double.IsNaN(v))
                    continue;
                if (double.IsNaN(min) || v < min)
                    min = v;
                if (double.IsNaN(max) || v > max)
                    max = v;
            }
            outX.Add(x[i - 1]);
            outMin.Add(min);
            outMax.Add(max);
            outLast.Add(y[i - 1]);
        }
        return new SampledSeries([.. outX], [.. outMin], [.. outMax], [.. outLast], x.Length);
    }

    public static int BucketOf(double x, double from, double width, int buckets) =>
        width <= 0 ? 0 : Math.Clamp((int)((x - from) / width), 0, buckets - 1);
}
