using System.Net;
using System.Net.Sockets;
using Runstream.ServiceDefaults;

namespace Runstream.UnitTests;

/// <summary>The images' HEALTHCHECK (<c>dotnet Runstream.X.dll healthcheck</c>): where it asks, and what it answers.</summary>
public sealed class HealthCheckCommandTests
{
    [Theory]
    [InlineData("http://+:5101", "http://127.0.0.1:5101/")]
    [InlineData("http://*:5102", "http://127.0.0.1:5102/")]
    [InlineData("http://0.0.0.0:5103", "http://127.0.0.1:5103/")]
    [InlineData("http://[::]:5103", "http://[::1]:5103/")]
    [InlineData("http://127.0.0.1:57221", "http://127.0.0.1:57221/")]
    [InlineData("https://localhost:8443;http://+:8080", "https://localhost:8443/")]
    public void Asks_the_first_endpoint_on_the_loopback_address(string urls, string expected) =>
        Assert.Equal(new Uri(expected), HealthCheckCommand.LocalUrl(["--urls", urls]));

    [Fact]
    public void Kestrel_endpoints_come_before_urls() =>
        Assert.Equal(new Uri("http://127.0.0.1:6000/"),
            HealthCheckCommand.LocalUrl(["--urls", "http://+:5101", "--Kestrel:Endpoints:Grpc:Url", "http://0.0.0.0:6000"]));

    [Fact]
    public void Is_requested_by_its_argument_only()
    {
        Assert.True(HealthCheckCommand.IsRequested(["healthcheck"]));
        Assert.False(HealthCheckCommand.IsRequested([]));
        Assert.False(HealthCheckCommand.IsRequested(["db-apply"]));
    }

    [Fact]
    public async Task A_service_that_does_not_answer_is_unhealthy()
    {
        Assert.Equal(1, await HealthCheckCommand.RunAsync(["healthcheck", "--urls", $"http://127.0.0.1:{ClosedPort()}"]));
    }

    [Fact]
    public async Task The_check_decides()
    {
        var port = ClosedPort();
        Assert.Equal(0, await HealthCheckCommand.RunAsync(["healthcheck", "--urls", $"http://+:{port}"], (url, _, _) =>
            Task.FromResult(url == new Uri($"http://127.0.0.1:{port}/") ? null : "asked the wrong address")));
        Assert.Equal(1, await HealthCheckCommand.RunAsync(["healthcheck", "--urls", $"http://+:{port}"], (_, _, _) => Task.FromResult<string?>("NOT_SERVING")));
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
