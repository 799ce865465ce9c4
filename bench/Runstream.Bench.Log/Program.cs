// How long the SDK's Log call takes and what it allocates, while the run's background writer
// frames and spools the rows (offline, so the network plays no part); and what one sample of system
// metrics costs (SystemSamplingBenchmark).
//
//   dotnet run -c Release --project bench/Runstream.Bench.Log
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Running;
using Runstream.Client;

BenchmarkSwitcher.FromAssembly(typeof(LogBenchmark).Assembly).Run(args);

[MemoryDiagnoser]
public class LogBenchmark
{
    private Run _run = null!;
    private readonly Dictionary<string, double> _metrics = Enumerable.Range(0, 10).ToDictionary(k => $"metric_{k}", k => (double)k);
    private string _spool = "";

    [GlobalSetup]
    public async Task StartRun()
    {
        _spool = Directory.CreateTempSubdirectory("runstream-log-bench-").FullName;
        _run = await Experiment.InitAsync(new RunSettings
        {
            Project = "log-bench", Offline = true, SpoolDirectory = _spool, Warn = _ => { },
            CaptureConsole = false, SystemMetricsInterval = TimeSpan.Zero,
        });
    }

    /// <summary>One training step: ten metrics.</summary>
    [Benchmark]
    public void Log() => _run.Log(_metrics);

    [GlobalCleanup]
    public async Task FinishRun()
    {
        await _run.DisposeAsync();
        Directory.Delete(_spool, recursive: true);
    }
}
