using System.Globalization;
using System.Text;
using Grpc.Core;
using Grpc.Net.Client;
using Npgsql;
using Runstream.Contracts.V1;

namespace Runstream.Bench;

/// <summary>
/// A flood of large frames: a few clients each send a run of 8 MB config updates as fast as Ingest
/// acknowledges them. Measures Projections' peak RSS (VmHWM, reset first) and how long the frames
/// take to be applied. Projections must hold only a bounded share of them at a time.
/// </summary>
internal static class LargeFrameFlood
{
    private const int Clients = 4;
    private const int FramesPerClient = 25;
    private const int ConfigBytes = 8 * 1024 * 1024;

    public static async Task RunAsync(BenchOptions options)
    {
        var project = $"bench-large-{DateTime.UtcNow:yyyyMMdd-HHmmss}";
        var pids = new[] { "Ingest", "Projections" }.ToDictionary(name => name, name => int.Parse(File.ReadAllText(Path.Combine(options.PidDirectory, $"{name}.pid")).Trim(), CultureInfo.InvariantCulture));
        foreach (var pid in pids.Values)
            await File.WriteAllTextAsync($"/proc/{pid}/clear_refs", "5"); // resets VmHWM, the peak RSS
        Console.WriteLine($"{Clients} clients x {FramesPerClient} config updates of {ConfigBytes / 1024 / 1024} MB each, as fast as acknowledged");

        var started = DateTime.UtcNow;
        var apiKey = Environment.GetEnvironmentVariable("RUNSTREAM_API_KEY") ?? throw new InvalidOperationException("RUNSTREAM_API_KEY is not set.");
        using var channel = GrpcChannel.ForAddress(options.IngestUrl, new GrpcChannelOptions { MaxSendMessageSize = 64 * 1024 * 1024 });
        await Task.WhenAll(Enumerable.Range(0, Clients).Select(i => SendRunAsync(new Ingest.IngestClient(channel), apiKey, new RunRef { Project = project, RunId = $"large-{i}" })));
        var acked = DateTime.UtcNow;

        await using var database = NpgsqlDataSource.Create(options.Postgres);
        while (await AppliedAsync(database, options.Schema, project) < Clients * (FramesPerClient + 1))
            await Task.Delay(200);
        var applied = DateTime.UtcNow;

        var peaks = pids.ToDictionary(pair => pair.Key, pair => PeakRss(pair.Value));
        var markdown = new StringBuilder()
            .AppendLine($"# Large-frame flood ({DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC)")
            .AppendLine()
            .AppendLine($"{Clients} clients, each a run of {FramesPerClient} `ConfigUpdated` frames of {ConfigBytes / 1024 / 1024} MB ({Clients * FramesPerClient * (long)ConfigBytes / 1024 / 1024:N0} MB in all), sent as fast as acknowledged.")
            .AppendLine()
            .AppendLine("| what | value |")
            .AppendLine("| --- | --- |")
            .AppendLine($"| all acknowledged after | {(acked - started).TotalSeconds:0.0} s |")
            .AppendLine($"| all applied after | {(applied - started).TotalSeconds:0.0} s |")
            .AppendLine($"| Projections peak RSS | {peaks["Projections"] / 1024 / 1024:N0} MB (target < 600 MB) |")
            .AppendLine($"| Ingest peak RSS | {peaks["Ingest"] / 1024 / 1024:N0} MB |")
            .ToString();
        Console.WriteLine(markdown);
        Directory.CreateDirectory(options.Output);
        var path = Path.Combine(options.Output, $"large-frames-{DateTime.UtcNow:yyyyMMdd-HHmmss}.md");
        await File.WriteAllTextAsync(path, markdown);
        Console.WriteLine($"written to {path}");
    }

    private static async Task SendRunAsync(Ingest.IngestClient ingest, string apiKey, RunRef run)
    {
        using var call = ingest.StreamFrames(new Metadata { { "authorization", $"Bearer {apiKey}" } });
        var replies = Task.Run(async () =>
        {
            var count = 0;
            await foreach (var reply in call.ResponseStream.ReadAllAsync())
                count += reply.Ack is null ? 0 : 1;
            return count;
        });
        await call.RequestStream.WriteAsync(new RunFrame { Run = run, Sequence = 1, Started = new RunStarted { ConfigJson = "{}" } });
        for (var i = 0; i < FramesPerClient; i++)
        {
            // The same key each time, so the run's details stay one config's size.
            var config = $$"""{"weights":"{{new string((char)('a' + i % 26), ConfigBytes - 16)}}"}""";
            await call.RequestStream.WriteAsync(new RunFrame { Run = run, Sequence = i + 2, ConfigUpdated = new ConfigUpdated { ConfigJson = config } });
        }
        await call.RequestStream.CompleteAsync();
        if (await replies != FramesPerClient + 1)
            throw new InvalidOperationException($"Run {run.RunId}: not every frame was acknowledged.");
    }

    private static async Task<long> AppliedAsync(NpgsqlDataSource database, string schema, string project)
    {
        await using var command = database.CreateCommand(
            $"select coalesce(sum((data ->> 'lastSequence')::bigint), 0)::bigint from {schema}.mt_doc_rundetails where data ->> 'project' = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = project });
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static long PeakRss(int pid) =>
        File.ReadLines($"/proc/{pid}/status").Where(line => line.StartsWith("VmHWM:", StringComparison.Ordinal))
            .Select(line => long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024).Single();
}
