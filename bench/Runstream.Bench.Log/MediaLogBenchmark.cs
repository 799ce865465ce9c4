using BenchmarkDotNet.Attributes;
using Runstream.Client;

/// <summary>
/// What logging images costs the training loop: 1,000 calls of <see cref="Run.LogMedia"/> with one 64x64 RGB image
/// each, into a fresh offline run, while its media worker encodes and spools the PNGs in the background. The
/// finish (waiting for the worker) is outside the measurement: it is what the loop does not wait for.
/// </summary>
[MemoryDiagnoser]
public class MediaLogBenchmark
{
    public const int Images = 1_000;

    private Run _run = null!;
    private string _spool = "";
    private readonly byte[] _pixels = [.. Enumerable.Range(0, 64 * 64 * 3).Select(i => (byte)(i * 7))];

    [IterationSetup]
    public void StartRun()
    {
        _spool = Directory.CreateTempSubdirectory("runstream-media-bench-").FullName;
        _run = Experiment.InitAsync(new RunSettings
        {
            Project = "media-bench", Offline = true, SpoolDirectory = _spool, Warn = _ => { },
            CaptureConsole = false, SystemMetricsInterval = TimeSpan.Zero, RecordEnvironment = false,
        }).GetAwaiter().GetResult();
    }

    [Benchmark]
    [InvocationCount(1)]
    public void Log1000Images()
    {
        for (var step = 0; step < Images; step++)
            _run.LogMedia(new Dictionary<string, MediaValue> { ["sample"] = Image.FromPixels(_pixels, 64, 64) }, step);
    }

    [IterationCleanup]
    public void FinishRun()
    {
        _run.DisposeAsync().AsTask().GetAwaiter().GetResult();
        Directory.Delete(_spool, recursive: true);
    }
}
