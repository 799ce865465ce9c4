using System.Text.Json.Nodes;
using Runstream.Store.Metrics;

namespace Runstream.Store.Runs;

/// <summary>
/// The summary a run's metric history gives up to a step: what a fork starts with, and what a rewound run goes back
/// to. <see cref="Dropped"/> are keys logged only after the step (a rewind forgets their summaries).
/// </summary>
public sealed record SummaryAtStep(Dictionary<string, JsonNode?> Values, Dictionary<string, long> MeanCounts, string[] Dropped)
{
    public static readonly SummaryAtStep Empty = new([], [], []);

    /// <summary>Each key's summary as its definition asks (the last value unless it says min, max, mean or none).</summary>
    public static SummaryAtStep From(IEnumerable<MetricStepStatistics> statistics, IReadOnlyDictionary<string, MetricDefinition> definitions)
    {
        var values = new Dictionary<string, JsonNode?>();
        var counts = new Dictionary<string, long>();
        var dropped = new List<string>();
        foreach (var key in statistics.OrderBy(s => s.Key, StringComparer.Ordinal))
        {
            if (key.Key.StartsWith(RunDetailsProjection.SystemPrefix, StringComparison.Ordinal))
                continue;
            var mode = MetricSummaries.For(definitions, key.Key)?.Summary;
            var value = key.Count == 0 ? null : mode switch
            {
                MetricSummaries.Min => key.Min,
                MetricSummaries.Max => key.Max,
                MetricSummaries.Mean => key.Mean,
                MetricSummaries.None => null,
                _ => key.Last,
            };
            if (value is not { } number)
            {
                dropped.Add(key.Key);
                continue;
            }
            values[key.Key] = number;
            if (mode == MetricSummaries.Mean)
                counts[key.Key] = key.Count;
        }
        return new SummaryAtStep(values, counts, [.. dropped]);
    }

    public void ApplyTo(RunDetails run)
    {
        foreach (var key in Dropped)
        {
            run.Summary.Remove(key);
            run.SummaryCounts.Remove(key);
        }
        foreach (var (key, value) in Values)
            run.Summary[key] = value?.DeepClone();
        foreach (var (key, count) in MeanCounts)
            run.SummaryCounts[key] = count;
    }
}
