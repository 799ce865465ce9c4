using System.Text.Json;
using Marten;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using Npgsql;
using Runstream.Query.History;
using Runstream.Query.Security;
using StoreOptions = Runstream.Store.StoreOptions;
using Runstream.Store.Metrics;
using Runstream.Store.Runs;

namespace Runstream.Query.Live;

/// <summary>
/// Server-sent events, so a dashboard follows runs while they log without polling: a project's
/// changed runs, and a run's new history rows. Fed by <see cref="ChangeFeed"/>.
/// </summary>
public static class LiveEndpoints
{
    private static readonly TimeSpan Coalesce = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(15);

    public static void MapLive(this RouteGroupBuilder api)
    {
        api.MapGet("/projects/{project}/events", async (string project, ChangeFeed feed, IDocumentStore store, IOptions<JsonOptions> json, HttpContext http) =>
            {
                using var subscription = feed.Subscribe(RunKey.ProjectKeyOf(http.Entity(), project) + "/");
                await StreamAsync(http, subscription, async (changed, cancellation) =>
                {
                    // Changes may have been missed (a lost database connection, a reader too slow): the client
                    // reloads what it shows, a page, rather than being sent every run of the project.
                    if (changed.Contains(ChangeFeed.Resync))
                    {
                        await SendAsync(http, "resync", new { }, json.Value.SerializerOptions, cancellation);
                        return;
                    }
                    await using var session = store.QuerySession();
                    foreach (var run in await session.LoadManyAsync<RunDetails>(cancellation, changed))
                        await SendAsync(http, "run", run, json.Value.SerializerOptions, cancellation);
                });
            })
            .WithName("ProjectEvents")
            .WithSummary("Server-sent events: 'run' with the run whenever one of the project's runs changes; 'resync' when changes may have been missed.");

        api.MapGet("/projects/{project}/runs/{runId}/events", async (string project, string runId, ChangeFeed feed, IDocumentStore store,
                NpgsqlDataSource database, StoreOptions options, IOptions<JsonOptions> json, HttpContext http) =>
            {
                var runKey = new RunKey(http.Entity(), project, runId).ToString();
                using var subscription = feed.Subscribe(runKey);
                // Rows written from now on; what came before, the client reads from the history endpoint.
                var seen = await LastSequenceAsync(database, options, runKey, http.RequestAborted);
                await StreamAsync(http, subscription, async (_, cancellation) =>
                {
                    var (rows, last) = await RowsAfterAsync(database, options, runKey, seen, cancellation);
                    seen = last;
                    if (rows.Count > 0)
                        await SendAsync(http, "history", rows, json.Value.SerializerOptions, cancellation);
                    await using var session = store.QuerySession();
                    if (await session.LoadAsync<RunDetails>(runKey, cancellation) is { } run)
                        await SendAsync(http, "run", run, json.Value.SerializerOptions, cancellation);
                });
            })
            .WithName("RunEvents")
            .WithSummary("Server-sent events: 'history' with new rows and 'run' with the run, as the run logs.");
    }

    private static async Task StreamAsync(HttpContext http, ChangeFeed.Subscription subscription, Func<HashSet<string>, CancellationToken, Task> onChange)
    {
        http.Response.ContentType = "text/event-stream";
        http.Response.Headers.CacheControl = "no-cache";
        // Proxies (nginx) would otherwise hold the events back in their buffers.
        http.Response.Headers["X-Accel-Buffering"] = "no";
        var cancellation = http.RequestAborted;
        await http.Response.WriteAsync(": connected\n\n", cancellation);
        await http.Response.Body.FlushAsync(cancellation);
        try
        {
            var next = subscription.NextAsync(Coalesce, cancellation);
            while (!cancellation.IsCancellationRequested)
            {
                if (await Task.WhenAny(next, Task.Delay(KeepAlive, cancellation)) != next)
                {
                    await http.Response.WriteAsync(": keep-alive\n\n", cancellation);
                    await http.Response.Body.FlushAsync(cancellation);
                    continue;
                }
                await onChange(await next, cancellation);
                await http.Response.Body.FlushAsync(cancellation);
                next = subscription.NextAsync(Coalesce, cancellation);
            }
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            // The client went away.
        }
    }

    private static async Task SendAsync<T>(HttpContext http, string name, T data, JsonSerializerOptions options, CancellationToken cancellation) =>
        await http.Response.WriteAsync($"event: {name}\ndata: {JsonSerializer.Serialize(data, options)}\n\n", cancellation);

    private static async Task<long> LastSequenceAsync(NpgsqlDataSource database, StoreOptions options, string runKey, CancellationToken cancellation)
    {
        await using var command = database.CreateCommand($"select coalesce(max(sequence), 0) from {options.Schema}.{MetricHistoryTable.Name} where run_key = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = runKey });
        return (long)(await command.ExecuteScalarAsync(cancellation))!;
    }

    /// <summary>The rows of the chunks written after frame <paramref name="after"/>, and the last frame read.</summary>
    private static async Task<(List<Dictionary<string, object>> Rows, long Last)> RowsAfterAsync(NpgsqlDataSource database, StoreOptions options, string runKey, long after, CancellationToken cancellation)
    {
        await using var command = database.CreateCommand($"""
            select key, sequence, steps, times_ms, values from {options.Schema}.{MetricHistoryTable.Name}
            where run_key = $1 and sequence > $2 order by key, sequence
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = runKey });
        command.Parameters.Add(new NpgsqlParameter { Value = after });
        await using var reader = await command.ExecuteReaderAsync(cancellation);
        var byKey = new Dictionary<string, (List<long> Steps, List<long> Times, List<double> Values)>();
        var last = after;
        while (await reader.ReadAsync(cancellation))
        {
            var key = reader.GetString(0);
            last = Math.Max(last, reader.GetInt64(1));
            if (!byKey.TryGetValue(key, out var points))
                byKey[key] = points = ([], [], []);
            points.Steps.AddRange(reader.GetFieldValue<long[]>(2));
            points.Times.AddRange(reader.GetFieldValue<long[]>(3));
            points.Values.AddRange(reader.GetFieldValue<double[]>(4));
        }
        var series = byKey.Select(kv => new MetricSeries(kv.Key, [.. kv.Value.Steps], [.. kv.Value.Times], [.. kv.Value.Values])).ToList();
        return (HistoryRows.ToObjects(series), last);
    }
}
