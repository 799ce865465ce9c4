using System.Text.Json;
using Marten;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using Runstream.Query.History;
using Runstream.Query.Security;
using Runstream.Store.Runs;

namespace Runstream.Query.Live;

/// <summary>
/// Server-sent events, so a dashboard follows runs while they log without polling: a project's
/// changed runs, and a run's new history rows. Fed by <see cref="ChangeFeed"/>.
/// </summary>
public static class LiveEndpoints
{
    /// <summary>The event streams' endpoint names (the concurrency limits count these apart).</summary>
    public const string ProjectEvents = "ProjectEvents";
    public const string RunEvents = "RunEvents";

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
            .WithName(ProjectEvents)
            .WithSummary("Server-sent events: 'run' with the run whenever one of the project's runs changes; 'resync' when changes may have been missed.");

        api.MapGet("/projects/{project}/runs/{runId}/events", async (string project, string runId, ChangeFeed feed, IDocumentStore store,
                MetricSeriesReader reader, IOptions<JsonOptions> json, HttpContext http) =>
            {
                var runKey = new RunKey(http.Entity(), project, runId).ToString();
                using var subscription = feed.Subscribe(runKey);
                // Rows written from now on (by frames after the last one applied); what came before, the client
                // reads from the history endpoint.
                long seen;
                await using (var session = store.QuerySession())
                    seen = (await session.LoadAsync<RunDetails>(runKey, http.RequestAborted))?.LastSequence ?? 0;
                await StreamAsync(http, subscription, async (_, cancellation) =>
                {
                    var written = await reader.ReadChunksAsync(runKey, null, withTimes: true, cancellation, afterSequence: seen);
                    if (written.Count > 0)
                    {
                        seen = written.Values.Max(c => c.LastSequence);
                        await SendAsync(http, "history", HistoryRows.ToObjects([.. written.Values.Select(c => c.ToSeries())]), json.Value.SerializerOptions, cancellation);
                    }
                    await using var session = store.QuerySession();
                    if (await session.LoadAsync<RunDetails>(runKey, cancellation) is { } run)
                        await SendAsync(http, "run", run, json.Value.SerializerOptions, cancellation);
                });
            })
            .WithName(RunEvents)
            .WithSummary("Server-sent events: 'history' with new rows and 'run' with the run, as the run logs.");
    }

    /// <summary>
    /// Streams events until the client goes away or its key is revoked; a revoked key gets a last
    /// 'revoked' event, within seconds of the revocation.
    /// </summary>
    private static async Task StreamAsync(HttpContext http, ChangeFeed.Subscription subscription, Func<HashSet<string>, CancellationToken, Task> onChange)
    {
        http.Response.ContentType = "text/event-stream";
        http.Response.Headers.CacheControl = "no-cache";
        // Proxies (nginx) would otherwise hold the events back in their buffers.
        http.Response.Headers["X-Accel-Buffering"] = "no";
        using var watch = http.WatchKey();
        using var open = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, watch.Revoked);
        var cancellation = open.Token;
        try
        {
            await http.Response.WriteAsync(": connected\n\n", cancellation);
            await http.Response.Body.FlushAsync(cancellation);
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
        catch (OperationCanceledException) when (watch.IsRevoked && !http.RequestAborted.IsCancellationRequested)
        {
            await http.Response.WriteAsync("event: revoked\ndata: {\"detail\":\"The API key was revoked; the stream ends here.\"}\n\n", http.RequestAborted);
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
            // The client went away.
        }
    }

    private static async Task SendAsync<T>(HttpContext http, string name, T data, JsonSerializerOptions options, CancellationToken cancellation) =>
        await http.Response.WriteAsync($"event: {name}\ndata: {JsonSerializer.Serialize(data, options)}\n\n", cancellation);
}
