using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;

namespace Runstream.ServiceDefaults;

/// <summary>
/// <c>dotnet Runstream.&lt;Service&gt;.dll healthcheck</c>: the container images' HEALTHCHECK. It asks the
/// running service on its own endpoint, found in the settings the service reads (<c>Urls</c> or
/// <c>Kestrel:Endpoints</c>, from the environment, appsettings.json or the command line), and exits
/// 0 when the service answers ready, 1 otherwise, printing one line either way.
/// </summary>
/// <remarks>
/// The images hold no curl, and Ingest serves HTTP/2 only (h2c), which neither a shell nor most
/// small tools speak: the check is the service's own code, with the .NET HTTP and gRPC clients.
/// Query and Projections are asked <c>GET /health/ready</c>; Ingest passes a check that calls the
/// gRPC health service (grpc.health.v1), as the kubelet's grpc probe does. Readiness, not liveness:
/// a container's health is what an operator looks at, and "cannot reach its database" belongs in it.
/// </remarks>
public static class HealthCheckCommand
{
    public const string Argument = "healthcheck";

    /// <summary>Below the images' HEALTHCHECK --timeout, so the check reports its own failure.</summary>
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(4);

    /// <summary>Asks the service at a URL whether it is ready: null when it is, or what is wrong.</summary>
    public delegate Task<string?> Check(Uri url, HttpMessageHandler handler, CancellationToken cancellationToken);

    public static bool IsRequested(string[] args) => args.Length > 0 && args[0] == Argument;

    /// <summary>Runs the check (by default <c>GET /health/ready</c>) and returns the process exit code.</summary>
    public static async Task<int> RunAsync(string[] args, Check? check = null)
    {
        Uri url;
        try
        {
            url = LocalUrl(args[1..]);
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException)
        {
            Console.WriteLine($"unhealthy: {e.Message}");
            return 1;
        }
        using var timeout = new CancellationTokenSource(Timeout);
        // Whether the service answers, not who it is: a TLS endpoint's certificate is not checked.
        using var handler = new SocketsHttpHandler
        {
            SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true },
        };
        try
        {
            var problem = await (check ?? ReadyOverHttpAsync)(url, handler, timeout.Token);
            Console.WriteLine(problem is null ? $"healthy: {url}" : $"unhealthy: {url}: {problem}");
            return problem is null ? 0 : 1;
        }
        catch (Exception e)
        {
            Console.WriteLine($"unhealthy: {url}: {(timeout.IsCancellationRequested ? $"no answer in {Timeout.TotalSeconds:0} s" : e.Message)}");
            return 1;
        }
    }

    private static async Task<string?> ReadyOverHttpAsync(Uri url, HttpMessageHandler handler, CancellationToken cancellationToken)
    {
        using var client = new HttpClient(handler, disposeHandler: false);
        using var response = await client.GetAsync(new Uri(url, "/health/ready"), cancellationToken);
        return response.IsSuccessStatusCode ? null : $"{(int)response.StatusCode} {response.ReasonPhrase}";
    }

    /// <summary>
    /// The URL to reach the service from inside its container: its first endpoint, with a wildcard
    /// host (<c>+</c>, <c>*</c>, <c>0.0.0.0</c>, <c>[::]</c>) replaced by the loopback address.
    /// </summary>
    public static Uri LocalUrl(string[] args)
    {
        // The sources of WebApplication.CreateBuilder that can set the endpoints, in its order (later wins).
        var environment = Environment.GetEnvironmentVariable("DOTNET_ENVIRONMENT")
            ?? Environment.GetEnvironmentVariable("ASPNETCORE_ENVIRONMENT") ?? "Production";
        var configuration = new ConfigurationBuilder()
            .SetBasePath(AppContext.BaseDirectory)
            .AddEnvironmentVariables("DOTNET_")
            .AddEnvironmentVariables("ASPNETCORE_")
            .AddJsonFile("appsettings.json", optional: true)
            .AddJsonFile($"appsettings.{environment}.json", optional: true)
            .AddEnvironmentVariables()
            .AddCommandLine(args)
            .Build();

        // Kestrel:Endpoints, when set, replaces Urls.
        var endpoint = configuration.GetSection("Kestrel:Endpoints").GetChildren()
            .Select(child => child["Url"]).FirstOrDefault(url => !string.IsNullOrWhiteSpace(url));
        var urls = endpoint ?? configuration["urls"];
        if (string.IsNullOrWhiteSpace(urls) && configuration["http_ports"] is { Length: > 0 } ports)
            urls = $"http://localhost:{ports.Split(';', ',')[0].Trim()}";
        if (string.IsNullOrWhiteSpace(urls))
            throw new InvalidOperationException("no endpoint is configured (Urls or Kestrel:Endpoints)");

        var address = BindingAddress.Parse(urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)[0]);
        var host = address.Host switch
        {
            "+" or "*" or "0.0.0.0" => "127.0.0.1",
            "[::]" or "::" => "[::1]",
            var named => named,
        };
        return new Uri($"{address.Scheme}://{host}:{address.Port}/");
    }
}
