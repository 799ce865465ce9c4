using BenchmarkDotNet.Attributes;
using Runstream.Client.Capture;

/// <summary>What one sample of system metrics costs a .NET training process (taken every 10 s by default).</summary>
[MemoryDiagnoser]
public class SystemSamplingBenchmark
{
    private SystemSampler _sampler = null!;

    [GlobalSetup]
    public void Start() => _sampler = new SystemSampler(_ => { }, TimeSpan.FromHours(1));

    [Benchmark]
    public int Sample() => _sampler.Sample().Count;

    [GlobalCleanup]
    public void Stop() => _sampler.Dispose();
}
