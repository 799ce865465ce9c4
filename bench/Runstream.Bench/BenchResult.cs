using System.Text;
using System.Text.Json;

namespace Runstream.Bench;

internal sealed record Window(double AckedPerSecond, double LandedPerSecond);

internal sealed record ProcessUse(string Name, double CpuCores, double RssMb, double PeakRssMb);

internal sealed record BenchResult(
    string Machine,
    int Jobs,
    int Keys,
    double StepsPerSecond,
    double AckedPointsPerSecond,
    double LandedPointsPerSecond,
    double CopyPointsPerSecond,
    double RatioToCopy,
    double AckP50Ms,
    double AckP99Ms,
    double LagP50Ms,
    double LagP99Ms,
    long Errors,
    long QueueBacklogAtEnd,
    List<Window> Windows,
    List<ProcessUse> Processes)
{
    public static BenchResult From(BenchOptions options, List<Window> windows, double copy, LoadGenerator load, ReadModelProbe probe,
        List<ProcessSample> before, List<ProcessSample> after, long backlog)
    {
        var seconds = options.DurationSeconds;
        var processes = after.Select(end =>
        {
            var start = before.FirstOrDefault(b => b.Name == end.Name);
            return new ProcessUse(end.Name, (end.CpuSeconds - (start?.CpuSeconds ?? 0)) / seconds, end.RssBytes / 1048576.0, end.PeakRssBytes / 1048576.0);
        }).ToList();
        var landed = Median(windows.Select(w => w.LandedPerSecond));
        return new BenchResult(
            $"{Environment.ProcessorCount} cores, {GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1 << 30)} GiB, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}",
            options.Jobs, options.Keys, options.StepsPerSecond,
            Median(windows.Select(w => w.AckedPerSecond)), landed, copy, landed / copy,
            Percentile(load.AckLatenciesMs, 0.50), Percentile(load.AckLatenciesMs, 0.99),
            Percentile(probe.LagsMs, 0.50), Percentile(probe.LagsMs, 0.99),
            load.Errors, backlog, windows, processes);
    }

    public string ToJson() => JsonSerializer.Serialize(this, new JsonSerializerOptions { WriteIndented = true });

    public string ToMarkdown()
    {
        var text = new StringBuilder();
        text.AppendLine($"## Ingest benchmark: {Jobs} jobs x {Keys} keys a step, {(StepsPerSecond > 0 ? $"{StepsPerSecond} steps/s per job" : "as fast as acknowledged")}");
        text.AppendLine();
        text.AppendLine($"Machine: {Machine}; every process on it. Medians of three windows after the warm-up.");
        text.AppendLine();
        text.AppendLine("| measure | value | target |");
        text.AppendLine("| --- | --- | --- |");
        text.AppendLine($"| points/s acknowledged by Ingest | {AckedPointsPerSecond:N0} | |");
        text.AppendLine($"| points/s landed in the read model | {LandedPointsPerSecond:N0} | >= 200,000 |");
        text.AppendLine($"| binary COPY into a plain table (2 connections) | {CopyPointsPerSecond:N0} | |");
        text.AppendLine($"| end to end / COPY | {RatioToCopy:P1} | >= 25% |");
        text.AppendLine($"| ack latency p50 / p99 | {AckP50Ms:N1} ms / {AckP99Ms:N1} ms | p99 < 100 ms |");
        text.AppendLine($"| read-model lag p50 / p99 (ack to queryable) | {LagP50Ms:N0} ms / {LagP99Ms:N0} ms | p99 < 2 s |");
        text.AppendLine($"| frames queued in RabbitMQ at the end (backlog) | {QueueBacklogAtEnd:N0} | ~0 when sustained |");
        text.AppendLine($"| errors (refused frames, unfinished runs) | {Errors} | 0 |");
        text.AppendLine();
        text.AppendLine("| process | CPU (cores) | RSS at end | peak RSS |");
        text.AppendLine("| --- | --- | --- | --- |");
        foreach (var process in Processes)
            text.AppendLine($"| {process.Name} | {process.CpuCores:N2} | {process.RssMb:N0} MB | {process.PeakRssMb:N0} MB |");
        return text.ToString();
    }

    private static double Median(IEnumerable<double> values) => Percentile(values, 0.5);

    private static double Percentile(IEnumerable<double> values, double quantile)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? double.NaN : sorted[(int)Math.Min(sorted.Length - 1, Math.Round(quantile * (sorted.Length - 1)))];
    }
}
