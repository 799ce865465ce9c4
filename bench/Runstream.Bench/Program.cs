// Runstream's ingest benchmark: simulated training jobs stream metrics through the real SDK into
// the running stack, and the same points are then COPYed into a plain table for the physical limit.
//
//   dotnet bench/Runstream.Bench/bin/Release/net10.0/Runstream.Bench.dll [--jobs 64] [--keys 10] [--duration 30] [--rate 0]
//   dotnet bench/Runstream.Bench/bin/Release/net10.0/Runstream.Bench.dll large-frames    (Projections' memory under 8 MB frames)
//   dotnet bench/Runstream.Bench/bin/Release/net10.0/Runstream.Bench.dll rebuild [--points 10000000]   (a metric-history rebuild)
using Npgsql;
using Runstream.Bench;

if (Array.IndexOf(args, "large-frames") is var scenario and >= 0)
{
    await LargeFrameFlood.RunAsync(BenchOptions.Parse([.. args[..scenario], .. args[(scenario + 1)..]]));
    return;
}
if (Array.IndexOf(args, "rebuild") is var rebuild and >= 0)
{
    var rest = args.Where((_, i) => i != rebuild).ToArray();
    var pointsAt = Array.IndexOf(rest, "--points");
    var points = pointsAt >= 0 ? long.Parse(rest[pointsAt + 1], System.Globalization.CultureInfo.InvariantCulture) : 10_000_000;
    await RebuildBench.RunAsync(BenchOptions.Parse(pointsAt >= 0 ? [.. rest[..pointsAt], .. rest[(pointsAt + 2)..]] : rest), points);
    return;
}
var options = BenchOptions.Parse(args);
var project = $"bench-{DateTime.UtcNow:yyyyMMdd-HHmmss}";
await using var database = NpgsqlDataSource.Create(options.Postgres);
var probe = new ReadModelProbe(database, options.Schema, project, options.Keys);
var load = new LoadGenerator(options, project);
using var queue = new QueueDepth(options.RabbitManagementUrl, "run-frames");
await queue.WaitUntilDrainedAsync();

Console.WriteLine($"{options.Jobs} jobs x {options.Keys} keys a step, {(options.StepsPerSecond > 0 ? $"{options.StepsPerSecond} steps/s each" : "as fast as acknowledged")}; " +
                  $"warm-up {options.WarmupSeconds} s, then 3 windows of {options.DurationSeconds / 3.0:0.#} s");
using var stopLoad = new CancellationTokenSource();
var running = load.RunAsync(stopLoad.Token);
// As fast as possible, but no faster than the read model keeps up: hold the jobs while frames queue up.
var throttling = options.StepsPerSecond > 0 ? Task.CompletedTask : Task.Run(async () =>
{
    while (!stopLoad.IsCancellationRequested)
    {
        load.Throttled = await queue.MessagesAsync() > options.MaxQueuedFrames;
        await Task.Delay(100);
    }
});
using var stopProbe = new CancellationTokenSource();
var sampling = probe.SampleLagAsync(load, stopProbe.Token);

await Task.Delay(TimeSpan.FromSeconds(options.WarmupSeconds));
load.Measuring = true;
var before = ProcessStats.Sample(options.PidDirectory);
var windows = new List<Window>();
var windowLength = TimeSpan.FromSeconds(options.DurationSeconds / 3.0);
for (var i = 0; i < 3; i++)
{
    var start = (Acked: load.PointsAcked, Landed: await probe.PointsLandedAsync(), At: DateTime.UtcNow);
    await Task.Delay(windowLength);
    var end = (Acked: load.PointsAcked, Landed: await probe.PointsLandedAsync(), At: DateTime.UtcNow);
    var seconds = (end.At - start.At).TotalSeconds;
    windows.Add(new Window((end.Acked - start.Acked) / seconds, (end.Landed - start.Landed) / seconds));
    Console.WriteLine($"  window {i + 1}: acked {windows[^1].AckedPerSecond:N0} points/s, landed {windows[^1].LandedPerSecond:N0} points/s");
}
var after = ProcessStats.Sample(options.PidDirectory);
load.Measuring = false;
await stopLoad.CancelAsync();
await running;
await throttling;
await stopProbe.CancelAsync();
await sampling;
var backlog = await queue.MessagesAsync();
await queue.WaitUntilDrainedAsync();

Console.WriteLine("measuring binary COPY into a plain table (the physical limit)...");
var copy = await CopyBaseline.MeasurePointsPerSecondAsync(options.Postgres, options.Keys, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(10));

var result = BenchResult.From(options, windows, copy, load, probe, before, after, backlog);
var markdown = result.ToMarkdown();
Console.WriteLine();
Console.WriteLine(markdown);
Directory.CreateDirectory(options.Output);
var stamp = DateTime.UtcNow.ToString("yyyyMMdd-HHmmss");
await File.WriteAllTextAsync(Path.Combine(options.Output, $"ingest-{stamp}.json"), result.ToJson());
await File.WriteAllTextAsync(Path.Combine(options.Output, $"ingest-{stamp}.md"), markdown);
Console.WriteLine($"written to {options.Output}/ingest-{stamp}.json and .md");
