using System.Globalization;

namespace Runstream.Bench;

/// <summary>What to run: <c>--jobs 64 --keys 10 --warmup 12 --duration 30 --rate 320 --window 20000</c>.</summary>
internal sealed record BenchOptions
{
    public int Jobs { get; init; } = 64;
    public int Keys { get; init; } = 10;
    /// <summary>Seconds before measuring: .NET and PostgreSQL under-read badly in the first seconds.</summary>
    public int WarmupSeconds { get; init; } = 12;
    public int DurationSeconds { get; init; } = 30;
    /// <summary>Steps per second per job (320 x 64 jobs x 10 keys: the 200,000 points/s target load); 0 logs as fast as Ingest acknowledges.</summary>
    public double StepsPerSecond { get; init; } = 320;
    /// <summary>In the as-fast-as-acknowledged mode, points a job may have logged but not had acknowledged.</summary>
    public long WindowPoints { get; init; } = 20_000;
    /// <summary>In the as-fast-as-possible mode, frames the broker may hold before the jobs pause.</summary>
    public long MaxQueuedFrames { get; init; } = 200;
    public string IngestUrl { get; init; } = Environment.GetEnvironmentVariable("RUNSTREAM_URL") ?? "http://127.0.0.1:5101";
    public string Postgres { get; init; } = Environment.GetEnvironmentVariable("ConnectionStrings__Postgres") ?? "Host=127.0.0.1;Port=55432;Database=runstream;Username=postgres";
    public string PidDirectory { get; init; } = Environment.GetEnvironmentVariable("RUNSTREAM_PID_DIR") ?? ".platform/run";
    public string RabbitManagementUrl { get; init; } = Environment.GetEnvironmentVariable("RUNSTREAM_RABBIT_MGMT_URL") ?? "http://127.0.0.1:56721";
    public string Output { get; init; } = "bench/results";
    public string Schema { get; init; } = "runstream";

    public static BenchOptions Parse(string[] args)
    {
        var options = new BenchOptions();
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            var value = args[i + 1];
            options = args[i] switch
            {
                "--jobs" => options with { Jobs = int.Parse(value, CultureInfo.InvariantCulture) },
                "--keys" => options with { Keys = int.Parse(value, CultureInfo.InvariantCulture) },
                "--warmup" => options with { WarmupSeconds = int.Parse(value, CultureInfo.InvariantCulture) },
                "--duration" => options with { DurationSeconds = int.Parse(value, CultureInfo.InvariantCulture) },
                "--rate" => options with { StepsPerSecond = double.Parse(value, CultureInfo.InvariantCulture) },
                "--window" => options with { WindowPoints = long.Parse(value, CultureInfo.InvariantCulture) },
                "--ingest" => options with { IngestUrl = value },
                "--postgres" => options with { Postgres = value },
                "--pids" => options with { PidDirectory = value },
                "--out" => options with { Output = value },
                _ => throw new ArgumentException($"Unknown option '{args[i]}'."),
            };
        }
        return options;
    }
}
