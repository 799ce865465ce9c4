using System.Diagnostics;

namespace Runstream.IntegrationTests;

/// <summary>One Runstream service started from its build output as a real process.</summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StreamWriter _log;

    public string Name { get; }
    public string LogPath { get; }

    private ServiceProcess(string name, Process process, StreamWriter log, string logPath)
    {
        Name = name;
        _process = process;
        _log = log;
        LogPath = logPath;
    }

    public static ServiceProcess Start(string name, string dll, IReadOnlyDictionary<string, string> environment, string logDirectory)
    {
        var start = new ProcessStartInfo("dotnet", [dll])
        {
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["DOTNET_ENVIRONMENT"] = "Development";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        foreach (var (key, value) in environment)
            start.Environment[key] = value;

        Directory.CreateDirectory(logDirectory);
        var logPath = Path.Combine(logDirectory, $"{name}.log");
        var log = new StreamWriter(logPath, append: true) { AutoFlush = true };
        var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {name}.");
        process.OutputDataReceived += (_, line) => { if (line.Data is not null) lock (log) log.WriteLine(line.Data); };
        process.ErrorDataReceived += (_, line) => { if (line.Data is not null) lock (log) log.WriteLine(line.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new ServiceProcess(name, process, log, logPath);
    }

    /// <summary>Starts a service and waits until its <c>/health/ready</c> answers (over HTTP/2 for gRPC services).</summary>
    public static async Task<ServiceProcess> StartReadyAsync(string name, string dll, IReadOnlyDictionary<string, string> environment,
        string logDirectory, string url, bool http2)
    {
        var service = Start(name, dll, new Dictionary<string, string>(environment) { ["Urls"] = url }, logDirectory);
        // The probe asks only whether the service is up; certificates are the TLS tests' business.
        using var probe = new HttpClient(new SocketsHttpHandler { SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true } })
        {
            BaseAddress = new Uri(url),
        };
        try
        {
            await WaitUntilReadyAsync(service, probe, http2);
        }
        catch
        {
            await service.DisposeAsync();
            throw;
        }
        return service;
    }

    private static Task WaitUntilReadyAsync(ServiceProcess service, HttpClient probe, bool http2) =>
        Poll.UntilAsync(async () =>
        {
            if (service.HasExited)
                throw new InvalidOperationException($"{service.Name} exited during start-up; see {service.LogPath}");
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, "/health/ready")
                {
                    Version = http2 ? System.Net.HttpVersion.Version20 : System.Net.HttpVersion.Version11,
                    VersionPolicy = HttpVersionPolicy.RequestVersionExact,
                };
                using var response = await probe.SendAsync(request);
                return response.IsSuccessStatusCode;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, ready => ready, $"{service.Name} to be ready", TimeSpan.FromSeconds(60));

    /// <summary>The build output of a service (Ingest, Projections, Query) as the tests were built.</summary>
    public static string DllOf(string project)
    {
        var dll = Path.Combine(StackFixture.RepoRoot, "services", project, "bin", StackFixture.Configuration, "net10.0", $"Runstream.{project}.dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException($"Build the solution first: {dll} is missing.", dll);
    }

    public bool HasExited => _process.HasExited;

    /// <summary>The process's resident memory, from /proc.</summary>
    public long ResidentBytes()
    {
        var line = File.ReadLines($"/proc/{_process.Id}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) * 1024;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        lock (_log)
            _log.Dispose();
    }
}
