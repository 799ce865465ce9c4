using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Npgsql;

namespace Runstream.Bench;

/// <summary>
/// A rebuild of the metric history from the event store: the jobs log until Ingest has acknowledged
/// <c>--points</c> points (as fast as acknowledged), the pipeline drains, then the admin API rebuilds
/// <c>metric-history</c> with nothing else running, polled until done. Events/s and points/s are of the
/// whole store (what a rebuild must replay), timed by the bench from request to done.
/// </summary>
internal static class RebuildBench
{
    public static async Task RunAsync(BenchOptions options, long points)
    {
        var project = $"bench-rebuild-{DateTime.UtcNow:yyyyMMdd-HHmmss}";
        Console.WriteLine($"logging {points:N0} points: {options.Jobs} jobs x {options.Keys} keys, as fast as acknowledged...");
        var load = new LoadGenerator(options with { StepsPerSecond = 0 }, project);
        using (var queue = new QueueDepth(options.RabbitManagementUrl, "run-frames"))
        {
            using var stop = new CancellationTokenSource();
            var running = load.RunAsync(stop.Token);
            while (load.PointsAcked < points)
            {
                load.Throttled = await queue.MessagesAsync() > options.MaxQueuedFrames;
                await Task.Delay(200);
            }
            await stop.CancelAsync();
            load.Throttled = false;
            await running;
            await queue.WaitUntilDrainedAsync();
        }

        await using var database = NpgsqlDataSource.Create(options.Postgres);
        var (events, stored) = await StoreSizeAsync(database, options.Schema);
        Console.WriteLine($"the store holds {events:N0} events and {stored:N0} points; rebuilding metric-history...");

        var adminKey = Environment.GetEnvironmentVariable("RUNSTREAM_ADMIN_KEY")
            ?? (File.Exists(".platform/admin.key") ? (await File.ReadAllTextAsync(".platform/admin.key")).Trim() : throw new InvalidOperationException("RUNSTREAM_ADMIN_KEY is not set."));
        using var query = new HttpClient { BaseAddress = new Uri(Environment.GetEnvironmentVariable("RUNSTREAM_QUERY_URL") ?? "http://127.0.0.1:5102") };
        query.DefaultRequestHeaders.Authorization = new("Bearer", adminKey);
        var watch = Stopwatch.StartNew();
        using var started = await query.PostAsJsonAsync("/admin/v1/rebuilds", new { readModel = "metric-history" });
        started.EnsureSuccessStatusCode();
        var id = (await started.Content.ReadFromJsonAsync<JsonNode>())!["id"]!.GetValue<string>();
        JsonNode rebuild;
        while (true)
        {
            rebuild = (await query.GetFromJsonAsync<JsonNode>($"/admin/v1/rebuilds/{id}"))!;
            var state = rebuild["state"]!.GetValue<string>();
            if (state is "succeeded" or "failed")
                break;
            Console.WriteLine($"  {rebuild["percent"]:0.#}% of {rebuild["eventsTotal"]} events, {rebuild["eventsPerSecond"]} events/s, ETA {rebuild["etaSeconds"]} s");
            await Task.Delay(2000);
        }
        var elapsed = watch.Elapsed;
        if (rebuild["state"]!.GetValue<string>() != "succeeded")
            throw new InvalidOperationException($"The rebuild failed: {rebuild["error"]}");
        var (_, rebuilt) = await StoreSizeAsync(database, options.Schema);

        var markdown = Report(events, stored, rebuilt, elapsed);
        Console.WriteLine();
        Console.WriteLine(markdown);
        Directory.CreateDirectory(options.Output);
        var path = Path.Combine(options.Output, $"rebuild-{stored / 1_000_000}m-points.md");
        await File.WriteAllTextAsync(path, markdown);
        Console.WriteLine($"written to {path}");
    }

    private static async Task<(long Events, long Points)> StoreSizeAsync(NpgsqlDataSource database, string schema)
    {
        await using var command = database.CreateCommand($"""
            select (select count(*) from {schema}.mt_events), (select coalesce(sum(cardinality(values)), 0) from {schema}.metric_chunks)
            """);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    private static string Report(long events, long points, long rebuilt, TimeSpan elapsed)
    {
        var seconds = elapsed.TotalSeconds;
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"## Rebuild of the metric history: {points:N0} points in {events:N0} events");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Machine: {Environment.ProcessorCount} cores; every process on it; nothing else logging. `POST /admin/v1/rebuilds {{\"readModel\":\"metric-history\"}}`, timed from the request until it reported done.");
        text.AppendLine();
        text.AppendLine("| measure | value |");
        text.AppendLine("| --- | --- |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| events replayed | {events:N0} |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| points in the history before / after | {points:N0} / {rebuilt:N0} |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| time | {seconds:0.0} s |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| events/s | {events / seconds:N0} |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| points/s | {points / seconds:N0} |");
        if (points < 100_000_000)
            text.AppendLine(CultureInfo.InvariantCulture, $"| 100,000,000 points at this rate (not run here) | {100_000_000 / (points / seconds) / 60:0} min |");
        return text.ToString();
    }
}
