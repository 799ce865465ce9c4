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
                // Wall clocks may step back (a run resumed on another machine): order by time.
                var times = Array.ConvertAll(series.TimesMs, t => t / 1000.0);
                var values = (double[])series.Values.Clone();
                Array.Sort(times, values);
                return (times, values);
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
        var sampler = new Sampler(buckets, from, to);
        for (var i = 0; i < x.Length; i++)
            sampler.Add(x[i], y[i]);
        return sampler.Finish(x.Length);
    }

    /// <summary>Takes points in ascending x, one at a time, and keeps each bucket's min, max and last.</summary>
    public sealed class Sampler(int buckets, double from, double to)
    {
        private readonly double _width = (to - from) / buckets;
        private readonly List<double> _x = new(buckets), _min = new(buckets), _max = new(buckets), _last = new(buckets);
        private int _bucket = -1;
        private double _bucketX, _bucketMin, _bucketMax, _bucketLast;

        public void Add(double x, double y) => Add(x, y, y, y);

        /// <summary>A point, or a block of points summarised by its min, max and last value at x (its last point's).</summary>
        public void Add(double x, double min, double max, double last)
        {
            var bucket = BucketOf(x, from, _width, buckets);
            if (bucket != _bucket)
            {
                Close();
                _bucket = bucket;
                _bucketMin = _bucketMax = double.NaN;
            }
            _bucketX = x;
            _bucketLast = last;
            if (!double.IsNaN(min) && (double.IsNaN(_bucketMin) || min < _bucketMin))
                _bucketMin = min;
            if (!double.IsNaN(max) && (double.IsNaN(_bucketMax) || max > _bucketMax))
                _bucketMax = max;
        }

        public SampledSeries Finish(int count)
        {
            Close();
            return new SampledSeries([.. _x], [.. _min], [.. _max], [.. _last], count);
        }

        private void Close()
        {
            if (_bucket < 0)
                return;
            _x.Add(_bucketX);
            _min.Add(_bucketMin);
            _max.Add(_bucketMax);
            _last.Add(_bucketLast);
        }
    }

    public static int BucketOf(double x, double from, double width, int buckets) =>
        width <= 0 ? 0 : Math.Clamp((int)((x - from) / width), 0, buckets - 1);
}
