using Runstream.Contracts.V1;

namespace Runstream.Client;

/// <summary>A histogram to log, as wandb.Histogram: of values (binned in the background), or of bins already counted.</summary>
public sealed class Histogram : MediaValue
{
    public const int MaxBins = 512;

    private readonly double[]? _values;
    private readonly int _bins;
    private double[]? _edges;
    private long[]? _counts;

    private Histogram(double[]? values, int bins, double[]? edges, long[]? counts) => (_values, _bins, _edges, _counts) = (values, bins, edges, counts);

    /// <summary>Values to count in <paramref name="bins"/> equal bins between their least and greatest (NaN and infinities are left out). They are copied.</summary>
    public static Histogram FromValues(IEnumerable<double> values, int bins = 64) =>
        bins is >= 1 and <= MaxBins ? new([.. values], bins, null, null)
            : throw new ArgumentOutOfRangeException(nameof(bins), $"a histogram has 1 to {MaxBins} bins; got {bins}.");

    /// <summary>Counts already made: <paramref name="edges"/> ascending, one more than <paramref name="counts"/>.</summary>
    public static Histogram FromBins(IReadOnlyList<double> edges, IReadOnlyList<long> counts) =>
        edges.Count == counts.Count + 1 && counts.Count is >= 1 and <= MaxBins ? new(null, counts.Count, [.. edges], [.. counts])
            : throw new ArgumentException($"a histogram has 1 to {MaxBins} bins and one edge more than bins; got {edges.Count} edges for {counts.Count} bins.");

    internal override EncodedMedia Encode()
    {
        if (_edges is null)
            (_edges, _counts) = Bin(_values!, _bins);
        return new EncodedMedia(new MediaCell { Histogram = new Contracts.V1.Histogram { Edges = { _edges }, Counts = { _counts! } } }, []);
    }

    /// <summary>Equal bins over the finite values' range, the last bin closed on the right (as numpy.histogram); one value, or none, spans [v - 0.5, v + 0.5].</summary>
    internal static (double[] Edges, long[] Counts) Bin(double[] values, int bins)
    {
        var finite = values.Where(double.IsFinite).ToArray();
        var (low, high) = finite.Length == 0 ? (0.0, 1.0) : (finite.Min(), finite.Max());
        if (low == high)
            (low, high) = (low - 0.5, high + 0.5);
        var edges = new double[bins + 1];
        for (var i = 0; i <= bins; i++)
            edges[i] = low + (high - low) * i / bins;
        var counts = new long[bins];
        foreach (var v in finite)
            counts[Math.Min(bins - 1, (int)((v - low) / (high - low) * bins))]++;
        return (edges, counts);
    }
}
