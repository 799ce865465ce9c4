using System.Text.Json.Nodes;
using Runstream.Query.Runs;
using Runstream.Query.Runs.Filtering;
using Runstream.Query.Security;
using Runstream.Store.Metrics;
using Runstream.Store.Runs;

namespace Runstream.Query.History;

/// <param name="Std">The sample standard deviation across runs per x bucket (0 for one run).</param>
/// <param name="Count">How many runs have a value in each bucket (standard error = Std / sqrt(Count)).</param>
public sealed record HistoryGroup(string? Value, int Runs, double[] X, double[] Mean, double[] Min, double[] Max, double[] Std, int[] Count);

public sealed record GroupedHistoryResult(string X, string Key, string GroupBy, List<HistoryGroup> Groups);

/// <summary>
/// Grouped line plots: the runs of each group (same config value, group or job type) reduced to one
/// line, the mean across runs per x bucket, with the min and max as a band. Every run is bucketed
/// over the same x range, so bucket i means the same x for all of them.
/// </summary>
public static class GroupedHistory
{
    public const int MaxRuns = 1000;

    public static void MapGroupedHistory(this RouteGroupBuilder api) =>
        api.MapGet("/projects/{project}/history/grouped", async (string project, string key, string groupBy, string? filters, int? samples, string? x,
                RunTable table, MetricSeriesReader reader, HttpContext http, CancellationToken cancellation) =>
            {
                var xAxis = x ?? "_step";
                if (xAxis is not ("_step" or "_timestamp"))
                    throw new QueryProblem("x", "grouped history is over _step or _timestamp.");
                var buckets = HistoryEndpoints.Buckets(samples ?? 200);
                var runs = await table.SelectAsync(http.Entity(), project, filters, MaxRuns, cancellation);
                var lines = new List<(string? Group, double[] X, double[] Y)>();
                // Each run is first reduced to a few points per bucket (its block summaries when it has
                // them), so a thousand long runs never sit in memory whole.
                var perRun = buckets * 4;
                foreach (var run in runs)
                {
                    var chunks = await reader.ReadChunksAsync(run.Id, [key], withTimes: xAxis == "_timestamp", cancellation,
                        blocksFrom: xAxis == "_step" ? (long)perRun * MetricHistoryTable.BlockSize * 4 : long.MaxValue);
                    if (chunks.GetValueOrDefault(key) is not { Count: > 0 } points)
                        continue;
                    var sampled = (xAxis == "_step" ? points.TrySampleBySteps(perRun) : null)
                        ?? SampleSeries(points.InBlocks ? (await reader.ReadChunksAsync(run.Id, [key], false, cancellation))[key] : points, xAxis, perRun);
                    lines.Add((GroupOf(run, groupBy), sampled.X, sampled.Last));
                }
                return new GroupedHistoryResult(xAxis, key, groupBy, Aggregate(lines, buckets));
            })
            .WithName("GetGroupedHistory")
            .WithSummary("Runs grouped by a config key, group or job type: mean, min, max and standard deviation of a metric per x bucket.");

    private static SampledSeries SampleSeries(MetricChunks chunks, string xAxis, int buckets)
    {
        var (xs, ys) = Sampling.Align(chunks.ToSeries(), xAxis, null);
        return Sampling.Sample(xs, ys, buckets);
    }

    public static string? GroupOf(RunDetails run, string groupBy) => groupBy switch
    {
        "group" => run.Group,
        "jobType" or "job_type" => run.JobType,
        _ when groupBy.StartsWith("config.", StringComparison.Ordinal) => ConfigValue(run.Config, groupBy["config.".Length..])?.ToJsonString().Trim('"'),
        _ => throw new QueryProblem("groupBy", $"'{groupBy}' cannot group runs; use group, jobType or config.<path>."),
    };

    public static JsonNode? ConfigValue(JsonObject config, string path)
    {
        JsonNode? node = config;
        foreach (var key in path.Split('.'))
            node = node is JsonObject o && o.TryGetPropertyValue(key, out var child) ? child : null;
        return node;
    }

    public static List<HistoryGroup> Aggregate(List<(string? Group, double[] X, double[] Y)> lines, int buckets)
    {
        if (lines.Count == 0)
            return [];
        var from = lines.Min(l => l.X[0]);
        var to = lines.Max(l => l.X[^1]);
        var width = (to - from) / buckets;
        var groups = new List<HistoryGroup>();
        foreach (var group in lines.GroupBy(l => l.Group).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var sum = new double[buckets];
            var sumOfSquares = new double[buckets];
            var count = new int[buckets];
            var min = Enumerable.Repeat(double.NaN, buckets).ToArray();
            var max = Enumerable.Repeat(double.NaN, buckets).ToArray();
            var lastX = new double[buckets];
            foreach (var (_, xs, ys) in group)
            {
                // Each run contributes its last finite value in each bucket.
                var last = Enumerable.Repeat(double.NaN, buckets).ToArray();
                for (var i = 0; i < xs.Length; i++)
                {
                    if (!double.IsFinite(ys[i]))
                        continue;
                    var b = Sampling.BucketOf(xs[i], from, width, buckets);
                    last[b] = ys[i];
                    lastX[b] = Math.Max(lastX[b], xs[i]);
                }
                for (var b = 0; b < buckets; b++)
                {
                    if (double.IsNaN(last[b]))
                        continue;
                    sum[b] += last[b];
                    sumOfSquares[b] += last[b] * last[b];
                    count[b]++;
                    min[b] = double.IsNaN(min[b]) ? last[b] : Math.Min(min[b], last[b]);
                    max[b] = double.IsNaN(max[b]) ? last[b] : Math.Max(max[b], last[b]);
                }
            }
            var used = Enumerable.Range(0, buckets).Where(b => count[b] > 0).ToArray();
            double Std(int b) => count[b] < 2 ? 0 : Math.Sqrt(Math.Max(0, (sumOfSquares[b] - sum[b] * sum[b] / count[b]) / (count[b] - 1)));
            groups.Add(new HistoryGroup(group.Key, group.Count(),
                [.. used.Select(b => lastX[b])], [.. used.Select(b => sum[b] / count[b])], [.. used.Select(b => min[b])], [.. used.Select(b => max[b])],
                [.. used.Select(Std)], [.. used.Select(b => count[b])]));
        }
        return groups;
    }
}
