using Marten;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using Runstream.Query.Live;
using Runstream.Query.Runs;
using Runstream.Query.Runs.Filtering;
using Runstream.Query.Security;
using Runstream.Store.Runs;

namespace Runstream.Query.Logs;

/// <summary>A run's console output: pages by line number, the last lines, and a follow mode over server-sent events.</summary>
public static class LogEndpoints
{
    /// <summary>The follow stream's endpoint name (the concurrency limits count event streams apart).</summary>
    public const string LogEvents = "RunLogEvents";

    public const int MaxLimit = 10_000;

    public static void MapLogs(this RouteGroupBuilder api)
    {
        api.MapGet("/projects/{project}/runs/{runId}/logs", async Task<IResult> (string project, string runId, long? from, long? tail, int? limit,
                IQuerySession session, ConsoleReader reader, HttpContext http, CancellationToken cancellation) =>
            {
                var take = CheckLimit(limit ?? 1000);
                var runKey = new RunKey(http.Entity(), project, runId).ToString();
                if (await session.LoadAsync<RunDetails>(runKey, cancellation) is not { } run)
                    return RunEndpoints.RunNotFound(project, runId);
                if (from is < 0)
                    throw new QueryProblem("from", $"from is {from}; line numbers start at 0.");
                if (tail is < 0 or > MaxLimit)
                    throw new QueryProblem("tail", $"tail is {tail}; it is 0 to {MaxLimit} lines.");
                var start = tail is { } last ? Math.Max(0, run.ConsoleLines - last) : from ?? 0;
                var lines = await reader.ReadAsync(runKey, start, tail is { } count ? (int)count : take, cancellation);
                var next = lines.Count > 0 ? lines[^1].Line + 1 : start;
                return Results.Ok(new LogsPage(lines, next < run.ConsoleLines ? next : null, run.ConsoleLines, run.ConsoleLimitReached));
            })
            .WithName("GetRunLogs")
            .WithSummary("The run's console output (stdout and stderr lines), by line number from 'from', or its last 'tail' lines.");

        api.MapGet("/projects/{project}/runs/{runId}/logs/events", async (string project, string runId, long? from, ChangeFeed feed,
                ConsoleReader reader, IOptions<JsonOptions> json, HttpContext http) =>
            {
                var runKey = new RunKey(http.Entity(), project, runId).ToString();
                using var subscription = feed.Subscribe(runKey);
                var next = Math.Max(0, from ?? 0);
                async Task SendNewLinesAsync(CancellationToken cancellation)
                {
                    for (;;)
                    {
                        var lines = await reader.ReadAsync(runKey, next, 1000, cancellation);
                        if (lines.Count == 0)
                            return;
                        next = lines[^1].Line + 1;
                        await EventStream.SendAsync(http, "lines", lines, json.Value.SerializerOptions, cancellation);
                    }
                }
                await EventStream.StreamAsync(http, subscription, (_, cancellation) => SendNewLinesAsync(cancellation), SendNewLinesAsync);
            })
            .WithName(LogEvents)
            .WithSummary("Server-sent events: 'lines' with the run's console lines from 'from' on, then each new batch as the run writes them.");
    }

    private static int CheckLimit(int limit) =>
        limit is < 1 or > MaxLimit ? throw new QueryProblem("limit", $"limit is {limit}; it is 1 to {MaxLimit} lines.") : limit;
}
