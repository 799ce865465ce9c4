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

    public static void MapLive(this RouteGroupBuilder api)
    {
        api.MapGet("/projects/{project}/events", async (string project, ChangeFeed feed, IDocumentStore store, IOptions<JsonOptions> json, HttpContext http) =>
            {
                using var subscription = feed.Subscribe(RunKey.ProjectKeyOf(http.Entity(), project) + "/");
                await EventStream.StreamAsync(http, subscription, async (changed, cancellation) =>
                {
                    // Changes may have been missed (a lost database connection, a reader too slow): the client
                    // reloads what it shows, a page, rather than being sent every run of the project.
                    if (changed.Contains(ChangeFeed.Resync))
                    {
                        await EventStream.SendAsync(http, "resync", new { }, json.Value.SerializerOptions, cancellation);
                        return;
                    }
                    await using var session = store.QuerySession();
                    foreach (var run in await session.LoadManyAsync<RunDetails>(cancellation, changed))
                        await EventStream.SendAsync(http, "run", run, json.Value.SerializerOptions, cancellation);
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
                await EventStream.StreamAsync(http, subscription, async (_, cancellation) =>
                {
                    var written = await reader.ReadChunksAsync(runKey, null, withTimes: true, cancellation, afterSequence: seen);
                    if (written.Count > 0)
                    {
                        seen = written.Values.Max(c => c.LastSequence);
                        await EventStream.SendAsync(http, "history", HistoryRows.ToObjects([.. written.Values.Select(c => c.ToSeries())]), json.Value.SerializerOptions, cancellation);
                    }
                    await using var session = store.QuerySession();
                    if (await session.LoadAsync<RunDetails>(runKey, cancellation) is { } run)
                        await EventStream.SendAsync(http, "run", run, json.Value.SerializerOptions, cancellation);
                });
            })
            .WithName(RunEvents)
            .WithSummary("Server-sent events: 'history' with new rows and 'run' with the run, as the run logs.");
    }
}
