namespace Runstream.Store.Media;

/// <summary>Counts of values in bins; <see cref="Edges"/> are the bins' bounds, one more than the counts.</summary>
public sealed record MediaHistogram(double[] Edges, long[] Counts);
