using Runstream.Query.Runs;
using Runstream.Query.Runs.Filtering;
using Runstream.Query.Security;
using Runstream.Store.Metrics;
using Runstream.Store.Runs;

namespace Runstream.Query.History;

public sealed record SampledHistory(string X, Dictionary<string, SampledSeries> Series);

public sealed record RunsHistory(string X, Dictionary<string, Dictionary<string, SampledSeries>> Runs);

public static class HistoryEndpoints
{
    public const int MaxRunsPerCall = 100;

    /// <summary>Points the unsampled history returns as rows at most (<c>Query:MaxHistoryRowPoints</c>; the export streams any number).</summary>
    public const long DefaultMaxRowPoints = 1_000_000;

    public static void MapHistory(this RouteGroupBuilder api)
    {
        api.MapGet("/projects/{project}/runs/{runId}/history", async Task<IResult> (string project, string runId, string? keys, int? samples, string? x,
                MetricSeriesReader reader, IConfiguration configuration, HttpContext http, CancellationToken cancellation) =>
            {
                var run = new RunKey(http.Entity(), project, runId).ToString();
                if (samples is null)
                {
                    if (x is not null)
                        throw new QueryProblem("x", "choosing the x axis needs samples (the rows carry _step and _timestamp anyway).");
                    var chunks = await reader.ReadChunksAsync(run, RunEndpoints.ParseList(keys), withTimes: true, cancellation);
                    // Rows are objects per step: fine for a chart's worth, not for a run of millions of points.
                    var limit = configuration.GetValue("Query:MaxHistoryRowPoints", DefaultMaxRowPoints);
                    if (chunks.Values.Sum(c => (long)c.Count) is var points && points > limit)
                        throw new QueryProblem("samples", string.Create(System.Globalization.CultureInfo.InvariantCulture,
                            $"the history holds {points:N0} points; rows are served up to {limit:N0}. Ask for samples=N, or stream every point with /history/export."));
                    return Results.Ok(HistoryRows.ToObjects([.. chunks.Values.Select(c => c.ToSeries())]));
                }
                return Results.Ok(new SampledHistory(x ?? "_step", await SampleAsync(reader, run, RunEndpoints.ParseList(keys), Buckets(samples), x ?? "_step", cancellation)));
            })
            .WithName("GetRunHistory")
            .WithSummary("A run's history: rows per step, or with samples=N each key reduced to at most N buckets (min, max, last) over the x axis (_step, _timestamp or another key).");

        api.MapGet("/projects/{project}/runs/{runId}/history/export", async (string project, string runId, string? keys, string? format,
                MetricSeriesReader reader, HttpContext http, CancellationToken cancellation) =>
            {
                var csv = format switch
                {
                    null or "jsonl" => false,
                    "csv" => true,
                    _ => throw new QueryProblem("format", $"'{format}' is not a format; use jsonl or csv."),
                };
                var series = await reader.ReadAsync(new RunKey(http.Entity(), project, runId).ToString(), RunEndpoints.ParseList(keys), withTimes: true, cancellation);
                http.Response.ContentType = csv ? "text/csv; charset=utf-8" : "application/x-ndjson";
                http.Response.Headers.ContentDisposition = $"attachment; filename=\"{runId}-history.{(csv ? "csv" : "jsonl")}\"";
                if (csv)
                    await HistoryRows.WriteCsvAsync(http.Response.Body, [.. series.Values], cancellation);
                else
                    await HistoryRows.WriteJsonLinesAsync(http.Response.Body, [.. series.Values], cancellation);
            })
            .WithName("ExportRunHistory")
            .WithSummary("Every step of a run's history, streamed as JSON lines (format=jsonl) or CSV (format=csv).");

        api.MapGet("/projects/{project}/history", async (string project, string runs, string? keys, int? samples, string? x,
                MetricSeriesReader reader, HttpContext http, CancellationToken cancellation) =>
            {
                var runIds = RunEndpoints.ParseList(runs) ?? throw new QueryProblem("runs", "name at least one run.");
                if (runIds.Length > MaxRunsPerCall)
                    throw new QueryProblem("runs", $"{runIds.Length} runs; the limit is {MaxRunsPerCall} per call.");
                var entity = http.Entity();
                var result = new Dictionary<string, Dictionary<string, SampledSeries>>();
                foreach (var runId in runIds.Distinct())
                    result[runId] = await SampleAsync(reader, new RunKey(entity, project, runId).ToString(), RunEndpoints.ParseList(keys), Buckets(samples ?? 500), x ?? "_step", cancellation);
                return new RunsHistory(x ?? "_step", result);
            })
            .WithName("GetRunsHistory")
            .WithSummary("Sampled history of the same keys across up to 100 runs in one call.");

        api.MapGroupedHistory();
    }

    public static int Buckets(int? samples) =>
        samples is >= 1 and <= Sampling.MaxBuckets ? samples.Value
            : throw new QueryProblem("samples", $"{samples} is out of range; the limit is 1 to {Sampling.MaxBuckets}.");

    private static async Task<Dictionary<string, SampledSeries>> SampleAsync(MetricSeriesReader reader, string run, string[]? keys, int buckets, string x,
        CancellationToken cancellation)
    {
        var custom = x is not ("_step" or "_timestamp");
        var read = keys is null || !custom ? keys : [.. keys.Append(x).Distinct()];
        // Blocks when a bucket spans several of them; with fewer points per bucket every point is read.
        var blocksFrom = x == "_step" ? (long)buckets * MetricHistoryTable.BlockSize * 4 : long.MaxValue;
        var chunks = await reader.ReadChunksAsync(run, read, withTimes: x == "_timestamp", cancellation, blocksFrom);
        var xSeries = custom ? chunks.GetValueOrDefault(x)?.ToSeries() : null;
        var sampled = new Dictionary<string, SampledSeries>();
        foreach (var (key, points) in chunks)
        {
            if (keys is not null && !keys.Contains(key))
                continue;
            sampled[key] = (x == "_step" ? points.TrySampleBySteps(buckets) : null)
                ?? Sample(points.InBlocks ? (await reader.ReadChunksAsync(run, [key], false, cancellation))[key].ToSeries() : points.ToSeries(), x, xSeries, buckets);
        }
        return sampled;
    }

    private static SampledSeries Sample(MetricSeries points, string x, MetricSeries? xSeries, int buckets)
    {
        var (xs, ys) = Sampling.Align(points, x, xSeries);
        return Sampling.Sample(xs, ys, buckets);
    }
}
