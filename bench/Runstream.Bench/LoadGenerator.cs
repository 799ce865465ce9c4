using System.Collections.Concurrent;
using System.Diagnostics;
using Runstream.Client;

namespace Runstream.Bench;

/// <summary>
/// Simulated training jobs, each a real SDK run logging <c>keys</c> metrics a step, either at a
/// fixed rate or as fast as Ingest acknowledges (each job keeps at most a window of points unacknowledged).
/// </summary>
internal sealed class LoadGenerator(BenchOptions options, string project)
{
    private long _pointsLogged;
    private long _pointsAcked;
    private long _errors;

    public ConcurrentBag<double> AckLatenciesMs { get; } = [];
    public ConcurrentDictionary<string, ConcurrentQueue<(long Sequence, long AckedAt)>> Acks { get; } = new();
    public bool Measuring { get; set; }

    /// <summary>Set while the broker holds a backlog: in the as-fast-as-possible mode jobs then pause, so the load stays sustainable.</summary>
    public volatile bool Throttled;
    public long PointsLogged => Interlocked.Read(ref _pointsLogged);
    public long PointsAcked => Interlocked.Read(ref _pointsAcked);
    public long Errors => Interlocked.Read(ref _errors);

    public async Task<string[]> RunAsync(CancellationToken stop)
    {
        var spool = Directory.CreateTempSubdirectory("runstream-bench-").FullName;
        var jobs = Enumerable.Range(0, options.Jobs).Select(i => Task.Run(() => TrainAsync(i, spool, stop))).ToArray();
        return await Task.WhenAll(jobs);
    }

    private async Task<string> TrainAsync(int job, string spool, CancellationToken stop)
    {
        long acked = 0;
        var settings = new RunSettings
        {
            Project = project,
            Url = options.IngestUrl,
            SpoolDirectory = spool,
            Config = new { job, learning_rate = 0.001 * (job + 1), batch_size = 32 << (job % 4) },
            FinishTimeout = TimeSpan.FromSeconds(120),
            Warn = message => Console.Error.WriteLine(message),
            OnAcknowledged = ack =>
            {
                Interlocked.Add(ref acked, ack.Points);
                Interlocked.Add(ref _pointsAcked, ack.Points);
                if (Measuring)
                    AckLatenciesMs.Add(ack.Latency.TotalMilliseconds);
                Acks.GetOrAdd(ack.RunId, _ => new()).Enqueue((ack.Sequence, Stopwatch.GetTimestamp()));
            },
        };
        await using var run = await Experiment.InitAsync(settings);
        var keys = Enumerable.Range(0, options.Keys).Select(k => $"metric_{k}").ToArray();
        var metrics = new Dictionary<string, double>(keys.Length);
        var clock = Stopwatch.StartNew();
        long step = 0, logged = 0;
        while (!stop.IsCancellationRequested)
        {
            if (options.StepsPerSecond > 0)
            {
                var due = TimeSpan.FromSeconds(step / options.StepsPerSecond) - clock.Elapsed;
                if (due > TimeSpan.Zero)
                    await Task.Delay(due, CancellationToken.None);
            }
            else if (Throttled || logged - Interlocked.Read(ref acked) > options.WindowPoints)
            {
                await Task.Delay(1, CancellationToken.None);
                continue;
            }
            for (var k = 0; k < keys.Length; k++)
                metrics[keys[k]] = Math.Sin(step * 0.001 + k) + job;
            run.Log(metrics);
            step++;
            logged += keys.Length;
            Interlocked.Add(ref _pointsLogged, keys.Length);
        }
        var finish = await run.FinishAsync();
        if (!finish.Complete)
            Interlocked.Increment(ref _errors);
        Interlocked.Add(ref _errors, run.Errors.Count);
        return run.Id;
    }
}
