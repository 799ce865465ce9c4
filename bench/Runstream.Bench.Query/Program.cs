// Runstream's query benchmark: data made through the real SDK, then the Query API timed over HTTP
// the way the dashboard and exports call it. Reports p50/p95 per query.
//
//   dotnet bench/Runstream.Bench.Query/bin/Release/net10.0/Runstream.Bench.Query.dll [--runs 10000] [--points 1000000] [--repeat 40]
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Runstream.Bench.Query;
using Runstream.Client;

var runs = Options.Int(args, "--runs", 10_000);
var points = Options.Int(args, "--points", 1_000_000);
var repeat = Options.Int(args, "--repeat", 40);
var output = Options.String(args, "--out", Path.Combine("bench", "results"));
var ingest = Environment.GetEnvironmentVariable("RUNSTREAM_URL") ?? "http://127.0.0.1:5101";
var key = Environment.GetEnvironmentVariable("RUNSTREAM_API_KEY") ?? throw new InvalidOperationException("Set RUNSTREAM_API_KEY.");
using var http = new HttpClient
{
    BaseAddress = new Uri((Environment.GetEnvironmentVariable("RUNSTREAM_QUERY_URL") ?? "http://127.0.0.1:5102") + "/api/v1/"),
    DefaultRequestHeaders = { Authorization = new AuthenticationHeaderValue("Bearer", key) },
    Timeout = TimeSpan.FromMinutes(5),
};
var stamp = DateTime.UtcNow.ToString("yyyyMMdd-HHmmss");
var settings = new RunSettings { Project = "bench", Url = ingest, ApiKey = key, SpoolDirectory = Directory.CreateTempSubdirectory("runstream-bench-").FullName, Warn = _ => { } };
var results = new List<Measurement>();

// A sweep of many runs: config and summary as a hyperparameter search leaves them.
var table = $"bench-table-{stamp}";
Console.WriteLine($"making {runs:N0} runs in {table} through the SDK...");
var made = Stopwatch.StartNew();
await Parallel.ForAsync(0, runs, new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (i, _) =>
{
    var random = new Random(i);
    var lr = Math.Pow(10, -4 + 3 * random.NextDouble());
    var config = new { index = i, lr, batch = 16 << random.Next(4), optimizer = random.Next(2) == 0 ? "adam" : "sgd", layers = random.Next(2, 9) };
    await using var run = await Experiment.InitAsync(settings with { Project = table, Config = config });
    var accuracy = 0.9 - 0.3 * Math.Abs(Math.Log10(lr) + 2.5) / 1.5 + random.NextDouble() * 0.05;
    run.Log(new Dictionary<string, double> { ["accuracy"] = accuracy, ["loss"] = 1 - accuracy });
});
await WaitAsync($"projects/{table}/runs?limit=1&filters={Uri.EscapeDataString("""{"state":"finished"}""")}", page => page?["total"]?.GetValue<long>() == runs);
Console.WriteLine($"  {runs:N0} runs queryable after {made.Elapsed.TotalSeconds:0.0} s");

var filter = Uri.EscapeDataString("""{"$and":[{"config.lr":{"$lt":0.01}},{"config.optimizer":"adam"},{"summary.accuracy":{"$gt":0.5}}]}""");
results.Add(await TimeAsync($"runs table: {runs:N0} runs, filter on config and summary, sort by summary, first 50", repeat,
    $"projects/{table}/runs?filters={filter}&order=-summary.accuracy&limit=50&columns=config.lr,config.optimizer,summary.accuracy"));
results.Add(await TimeAsync($"runs table: {runs:N0} runs, sort by a nested config key, page 2 by cursor", repeat,
    await SecondPageAsync($"projects/{table}/runs?order=config.lr&limit={Math.Min(100, runs / 2)}")));
var thousand = Uri.EscapeDataString("""{"config.index":{"$lt":1000}}""");
results.Add(await TimeAsync("parameter importance over 1,000 runs (FastForest + permutation importance)", Math.Max(5, repeat / 8),
    $"projects/{table}/importance?metric=summary.accuracy&params=config.lr,config.batch,config.optimizer,config.layers&filters={thousand}"));
results.Add(await TimeAsync("parallel coordinates over 1,000 runs", repeat,
    $"projects/{table}/parallel?params=config.lr,config.batch,config.optimizer,config.layers&metric=summary.accuracy&filters={thousand}"));

// One long metric.
var history = $"bench-history-{stamp}";
Console.WriteLine($"logging {points:N0} points of one metric through the SDK...");
string runId;
await using (var run = await Experiment.InitAsync(settings with { Project = history, MaxRowsPerFrame = 5000, FinishTimeout = TimeSpan.FromMinutes(5) }))
{
    runId = run.Id;
    for (var step = 0; step < points; step++)
        run.Log(new Dictionary<string, double> { ["loss"] = Math.Exp(-step / 200_000.0) + (step % 997 == 0 ? 1 : 0) }, step: step);
}
await WaitAsync($"projects/{history}/runs/{runId}", r => r?["state"]?.GetValue<string>() == "finished" && r["lastStep"]?.GetValue<long>() == points - 1);
results.Add(await TimeAsync($"history of one {points:N0}-point metric sampled to 1,500 buckets (min, max, last)", repeat,
    $"projects/{history}/runs/{runId}/history?keys=loss&samples=1500"));
var export = await TimeAsync($"full export of {points:N0} points as JSON lines", Math.Max(5, repeat / 8), $"projects/{history}/runs/{runId}/history/export?format=jsonl");
results.Add(export with { Throughput = points / (export.P50Ms / 1000) });
var csv = await TimeAsync($"full export of {points:N0} points as CSV", Math.Max(5, repeat / 8), $"projects/{history}/runs/{runId}/history/export?format=csv");
results.Add(csv with { Throughput = points / (csv.P50Ms / 1000) });

var report = new StringBuilder();
report.AppendLine($"# Query benchmark, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC").AppendLine();
report.AppendLine($"{Environment.ProcessorCount} cores, every service, PostgreSQL and RabbitMQ on this machine; data made through the SDK; each query timed end to end over HTTP (response read whole), after one warm-up call.").AppendLine();
report.AppendLine("| query | calls | p50 ms | p95 ms | points/s at p50 |").AppendLine("| --- | ---: | ---: | ---: | ---: |");
foreach (var m in results)
    report.AppendLine($"| {m.What} | {m.Calls} | {m.P50Ms:0.0} | {m.P95Ms:0.0} | {(m.Throughput is { } t ? t.ToString("N0") : "")} |");
Console.WriteLine();
Console.WriteLine(report);
Directory.CreateDirectory(output);
var file = Path.Combine(output, $"query-{stamp}.md");
await File.WriteAllTextAsync(file, report.ToString());
Console.WriteLine($"written to {file}");

async Task<Measurement> TimeAsync(string what, int calls, string url)
{
    await (await http.GetAsync(url, HttpCompletionOption.ResponseContentRead)).Content.ReadAsByteArrayAsync();
    var times = new List<double>();
    for (var i = 0; i < calls; i++)
    {
        var clock = Stopwatch.StartNew();
        using var response = await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        await using var body = await response.Content.ReadAsStreamAsync();
        await body.CopyToAsync(Stream.Null);
        times.Add(clock.Elapsed.TotalMilliseconds);
    }
    times.Sort();
    var measurement = new Measurement(what, calls, Percentile(times, 0.50), Percentile(times, 0.95), null);
    Console.WriteLine($"  {what}: p50 {measurement.P50Ms:0.0} ms, p95 {measurement.P95Ms:0.0} ms");
    return measurement;
}

async Task<string> SecondPageAsync(string url)
{
    var first = JsonNode.Parse(await http.GetStringAsync(url))!;
    return $"{url}&cursor={first["nextCursor"]!.GetValue<string>()}";
}

async Task WaitAsync(string url, Func<JsonNode?, bool> until)
{
    var deadline = DateTime.UtcNow.AddMinutes(10);
    while (!until(JsonNode.Parse(await http.GetStringAsync(url))))
    {
        if (DateTime.UtcNow > deadline)
            throw new TimeoutException($"{url} did not settle in 10 minutes.");
        await Task.Delay(250);
    }
}

static double Percentile(List<double> sorted, double p) => sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];

namespace Runstream.Bench.Query
{
    internal sealed record Measurement(string What, int Calls, double P50Ms, double P95Ms, double? Throughput);

    internal static class Options
    {
        public static int Int(string[] args, string name, int fallback) => int.TryParse(String(args, name, ""), out var value) ? value : fallback;

        public static string String(string[] args, string name, string fallback)
        {
            var i = Array.IndexOf(args, name);
            return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
        }
    }
}
