using System.Globalization;

namespace Runstream.Bench;

/// <summary>CPU seconds and resident memory of the stack's processes, read from /proc.</summary>
internal sealed record ProcessSample(string Name, double CpuSeconds, long RssBytes, long PeakRssBytes);

internal static class ProcessStats
{
    private static readonly double TicksPerSecond = 100; // USER_HZ on Linux

    /// <summary>
    /// The services by their pid files (a cluster's second instances too: Ingest-2.pid), PostgreSQL (all
    /// processes named postgres, a replica's too) and RabbitMQ (its Erlang VM, or each node of a cluster).
    /// </summary>
    public static List<ProcessSample> Sample(string pidDirectory)
    {
        var samples = new List<ProcessSample>();
        foreach (var name in new[] { "Ingest", "Projections", "Query" })
            foreach (var file in (Directory.Exists(pidDirectory) ? Directory.GetFiles(pidDirectory, $"{name}*.pid") : []).Order())
                if (ReadPid(file) is { } pid && Read(Path.GetFileNameWithoutExtension(file).ToLowerInvariant(), [pid]) is { } sample)
                    samples.Add(sample);
        if (ReadPid(Path.Combine(pidDirectory, "rabbitmq.pid")) is { } rabbit && Read("rabbitmq", [rabbit]) is { } rabbitSample)
            samples.Add(rabbitSample);
        // ./platform up --cluster: deploy/local/cluster.sh keeps node N's pid in cluster/nodeN/run beside run/.
        var cluster = Path.Combine(pidDirectory, "..", "cluster");
        foreach (var node in (Directory.Exists(cluster) ? Directory.GetDirectories(cluster, "node*") : []).Order())
            if (ReadPid(Path.Combine(node, "run", "rabbitmq.pid")) is { } nodePid && Read($"rabbitmq {Path.GetFileName(node)}", [nodePid]) is { } nodeSample)
                samples.Add(nodeSample);
        var postgres = Directory.EnumerateDirectories("/proc")
            .Select(d => int.TryParse(Path.GetFileName(d), out var p) ? p : -1)
            .Where(p => p > 0 && IsPostgres(p))
            .ToList();
        if (Read("postgresql", postgres) is { } pgSample)
            samples.Add(pgSample);
        samples.Add(Read("bench (SDK jobs)", [Environment.ProcessId])!);
        return samples;
    }

    private static int? ReadPid(string path) =>
        File.Exists(path) && int.TryParse(File.ReadAllText(path).Trim(), out var pid) && Directory.Exists($"/proc/{pid}") ? pid : null;

    private static bool IsPostgres(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/comm").Trim() == "postgres";
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static ProcessSample? Read(string name, IReadOnlyList<int> pids)
    {
        double cpu = 0;
        long rss = 0, peak = 0;
        var any = false;
        foreach (var pid in pids)
        {
            try
            {
                var stat = File.ReadAllText($"/proc/{pid}/stat");
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                cpu += (double.Parse(fields[11], CultureInfo.InvariantCulture) + double.Parse(fields[12], CultureInfo.InvariantCulture)) / TicksPerSecond;
                foreach (var line in File.ReadLines($"/proc/{pid}/status"))
                {
                    if (line.StartsWith("VmRSS:"))
                        rss += Kilobytes(line);
                    else if (line.StartsWith("VmHWM:"))
                        peak += Kilobytes(line);
                }
                any = true;
            }
            catch (IOException)
            {
                // The process ended between listing and reading.
            }
        }
        return any ? new ProcessSample(name, cpu, rss, peak) : null;
    }

    private static long Kilobytes(string line) =>
        long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
}
