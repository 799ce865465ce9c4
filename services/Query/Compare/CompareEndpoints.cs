using Runstream.Query.Runs;
using Runstream.Query.Runs.Filtering;
using Runstream.Query.Security;

namespace Runstream.Query.Compare;

public sealed record ParallelRow(string RunId, string? Name, object?[] Values);

public sealed record ParallelCoordinates(string[] Dimensions, List<ParallelRow> Rows);

public static class CompareEndpoints
{
    /// <summary>Parameter importance and parallel coordinates read at most this many runs (the newest).</summary>
    public const int MaxRuns = 10_000;

    private static readonly SemaphoreSlim Forests = new(1, 1);

    public static void MapCompare(this RouteGroupBuilder api)
    {
        api.MapGet("/projects/{project}/parallel", async (string project, string @params, string metric, string? filters,
                RunTable table, HttpContext http, CancellationToken cancellation) =>
            {
                var dimensions = (RunEndpoints.ParseList(@params) ?? throw new QueryProblem("params", "name at least one config key.")).Append(metric).ToArray();
                var runs = await table.SelectAsync(http.Entity(), project, filters, MaxRuns, cancellation);
                return new ParallelCoordinates(dimensions,
                    [.. runs.Select(run => new ParallelRow(run.RunId, run.Name, [.. dimensions.Select(d => RunValues.Of(run, d))]))]);
            })
            .WithName("GetParallelCoordinates")
            .WithSummary("For chosen config keys and one metric: the values of every run matching the filter, one row per run.");

        api.MapGet("/projects/{project}/importance", async (string project, string metric, string? @params, string? filters,
                RunTable table, HttpContext http, CancellationToken cancellation) =>
            {
                var runs = await table.SelectAsync(http.Entity(), project, filters, MaxRuns, cancellation);
                // Training a forest takes a core for a fraction of a second: one at a time per instance,
                // so a burst of requests queues rather than starving every other route.
                await Forests.WaitAsync(cancellation);
                try
                {
                    return ParameterImportance.Compute(runs, metric, RunEndpoints.ParseList(@params));
                }
                finally
                {
                    Forests.Release();
                }
            })
            .WithName("GetParameterImportance")
            .WithSummary("Per config key: correlation with a metric and random-forest (FastForest) permutation importance, with the number of runs used.");
    }
}
