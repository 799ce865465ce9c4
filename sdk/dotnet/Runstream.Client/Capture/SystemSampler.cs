using System.Diagnostics;
using System.Globalization;

namespace Runstream.Client.Capture;

/// <summary>
/// Samples system metrics every interval on a timer and hands each sample (keys under "system/") to
/// the run: CPU, memory, disk and network I/O of the machine (from /proc, on Linux) and of the
/// process, and each GPU's utilisation, memory, temperature and power when <c>nvidia-smi</c> is there.
/// What cannot be read is left out, never an error.
/// </summary>
internal sealed class SystemSampler : IDisposable
{
    public const string NvidiaQuery = "utilization.gpu,memory.used,memory.total,temperature.gpu,power.draw";
    private const double Mb = 1024 * 1024;

    private readonly Action<IReadOnlyDictionary<string, double>> _emit;
    private readonly Timer _timer;
    private readonly Lock _gate = new();
    private readonly string? _nvidia = FindOnPath("nvidia-smi");
    private (long Busy, long Total)? _lastCpu = ProcFiles.CpuTimes();
    private (long At, TimeSpan Cpu) _lastProcess = (Stopwatch.GetTimestamp(), Process.GetCurrentProcess().TotalProcessorTime);
    private readonly (long Read, long Written)? _startDisk = ProcFiles.DiskBytes();
    private readonly (long Received, long Sent)? _startNetwork = ProcFiles.NetworkBytes();
    private bool _disposed;

    public SystemSampler(Action<IReadOnlyDictionary<string, double>> emit, TimeSpan interval)
    {
        _emit = emit;
        _timer = new Timer(_ => Tick(), null, interval, interval);
    }

    private void Tick()
    {
        lock (_gate)
        {
            if (_disposed)
                return;
            try
            {
                if (Sample() is { Count: > 0 } sample)
                    _emit(sample);
            }
            catch (Exception e) when (e is IOException or InvalidOperationException or FormatException or UnauthorizedAccessException)
            {
                // A sample that cannot be taken is skipped; training goes on.
            }
        }
    }

    public Dictionary<string, double> Sample()
    {
        var values = new Dictionary<string, double>();
        if (ProcFiles.CpuTimes() is { } cpu)
        {
            if (_lastCpu is { } last && cpu.Total > last.Total)
                values["system/cpu.percent"] = 100.0 * (cpu.Busy - last.Busy) / (cpu.Total - last.Total);
            _lastCpu = cpu;
        }
        using (var process = Process.GetCurrentProcess())
        {
            var now = Stopwatch.GetTimestamp();
            var elapsed = Stopwatch.GetElapsedTime(_lastProcess.At, now);
            if (elapsed > TimeSpan.Zero)
                values["system/proc.cpu.percent"] = 100.0 * (process.TotalProcessorTime - _lastProcess.Cpu) / elapsed;
            _lastProcess = (now, process.TotalProcessorTime);
            values["system/proc.memory.rss_mb"] = process.WorkingSet64 / Mb;
        }
        if (ProcFiles.MemInfo() is { } memory && memory.TryGetValue("MemTotal", out var total) && memory.TryGetValue("MemAvailable", out var available) && total > 0)
        {
            values["system/memory.percent"] = 100.0 * (1 - (double)available / total);
            values["system/memory.available_mb"] = available / Mb;
        }
        if (ProcFiles.DiskBytes() is { } disk && _startDisk is { } startDisk)
        {
            values["system/disk.read_mb"] = (disk.Read - startDisk.Read) / Mb;
            values["system/disk.write_mb"] = (disk.Written - startDisk.Written) / Mb;
        }
        if (ProcFiles.NetworkBytes() is { } network && _startNetwork is { } startNetwork)
        {
            values["system/network.recv_mb"] = (network.Received - startNetwork.Received) / Mb;
            values["system/network.sent_mb"] = (network.Sent - startNetwork.Sent) / Mb;
        }
        if (_nvidia is not null && RunNvidiaSmi(_nvidia) is { } csv)
            foreach (var (key, value) in ParseNvidiaSmi(csv))
                values[key] = value;
        return values;
    }

    /// <summary><c>nvidia-smi --query-gpu=NvidiaQuery --format=csv,noheader,nounits</c> as system/ metrics, per GPU; fields not reported are left out.</summary>
    public static Dictionary<string, double> ParseNvidiaSmi(string csv)
    {
        var values = new Dictionary<string, double>();
        var index = 0;
        foreach (var line in csv.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var fields = line.Split(',').Select(f => double.TryParse(f.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : (double?)null)
                .Concat(Enumerable.Repeat<double?>(null, 5)).Take(5).ToArray();
            var prefix = $"system/gpu.{index++}.";
            if (fields[0] is { } utilisation)
                values[prefix + "gpu"] = utilisation;
            if (fields[1] is { } used)
            {
                values[prefix + "memory_used_mb"] = used;
                if (fields[2] is { } memoryTotal and > 0)
                    values[prefix + "memory_percent"] = 100.0 * used / memoryTotal;
            }
            if (fields[3] is { } temperature)
                values[prefix + "temp"] = temperature;
            if (fields[4] is { } power)
                values[prefix + "power_watts"] = power;
        }
        return values;
    }

    private static string? RunNvidiaSmi(string path)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(path, [$"--query-gpu={NvidiaQuery}", "--format=csv,noheader,nounits"])
                { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false });
            if (process is null)
                return null;
            var output = process.StandardOutput.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromSeconds(5)))
            {
                process.Kill();
                return null;
            }
            return process.ExitCode == 0 ? output.Result : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }

    private static string? FindOnPath(string program) =>
        (System.Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(folder => Path.Combine(folder, program)).FirstOrDefault(File.Exists);

    public void Dispose()
    {
        lock (_gate)
            _disposed = true;
        _timer.Dispose();
    }
}
