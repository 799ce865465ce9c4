namespace Runstream.Store.Runs;

/// <summary>
/// What a run's summary keeps of a metric, as wandb's <c>define_metric(summary=...)</c>: the last
/// value (the default), the lowest, the highest, the mean of every value logged, or nothing.
/// </summary>
public static class MetricSummaries
{
    public const string Last = "last";
    public const string Min = "min";
    public const string Max = "max";
    public const string Mean = "mean";
    public const string None = "none";

    public static readonly IReadOnlyList<string> All = [Last, Min, Max, Mean, None];

    /// <summary>The definition that applies to <paramref name="key"/>: its own, else the longest "prefix*" that matches.</summary>
    public static MetricDefinition? For(IReadOnlyDictionary<string, MetricDefinition> definitions, string key)
    {
        if (definitions.Count == 0)
            return null;
        if (definitions.TryGetValue(key, out var exact))
            return exact;
        MetricDefinition? best = null;
        var bestLength = -1;
        foreach (var (name, definition) in definitions)
            if (name.EndsWith('*') && name.Length - 1 > bestLength && key.StartsWith(name.AsSpan(0, name.Length - 1), StringComparison.Ordinal))
                (best, bestLength) = (definition, name.Length - 1);
        return best;
    }

    /// <summary>
    /// The summary after <paramref name="value"/>, the <paramref name="count"/>-th value of the key
    /// (1 for the first): null when the summary keeps nothing of it. NaN never wins a min or a max.
    /// </summary>
    public static double? Next(string? mode, double? current, double value, long count) => mode switch
    {
        Min => current is not { } low || double.IsNaN(low) || value < low ? value : low,
        Max => current is not { } high || double.IsNaN(high) || value > high ? value : high,
        Mean => current is { } mean && count > 1 ? mean + (value - mean) / count : value,
        None => null,
        _ => value,
    };
}
