using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Runstream.Bench;

/// <summary>
/// The frames queue's depth from RabbitMQ's management API, summed over its partitions (<c>run-frames-0</c>,
/// <c>run-frames-1</c>, ...) when it has some: a run starts from an idle pipeline.
/// </summary>
internal sealed class QueueDepth(string managementUrl, string queue) : IDisposable
{
    private readonly HttpClient _http = new()
    {
        BaseAddress = new Uri(managementUrl),
        DefaultRequestHeaders = { Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String("guest:guest"u8.ToArray())) },
    };

    public async Task<long> MessagesAsync()
    {
        using var response = await _http.GetAsync("/api/queues/%2F?columns=name,messages");
        if (!response.IsSuccessStatusCode)
            return 0;
        var queues = (await response.Content.ReadFromJsonAsync<JsonArray>()) ?? [];
        return queues.Where(q => q?["name"]?.GetValue<string>() is { } name && (name == queue || IsPartitionOf(name)))
            .Sum(q => q?["messages"]?.GetValue<long>() ?? 0);
    }

    private bool IsPartitionOf(string name) =>
        name.Length > queue.Length + 1 && name.StartsWith($"{queue}-", StringComparison.Ordinal) && name[(queue.Length + 1)..].All(char.IsAsciiDigit);

    /// <summary>Waits (up to five minutes) until the queue is empty, e.g. after an earlier run left a backlog.</summary>
    public async Task WaitUntilDrainedAsync()
    {
        var deadline = DateTime.UtcNow.AddMinutes(5);
        long messages;
        while ((messages = await MessagesAsync()) > 0 && DateTime.UtcNow < deadline)
        {
            Console.WriteLine($"  waiting for {messages:N0} queued frames to drain...");
            await Task.Delay(2000);
        }
    }

    public void Dispose() => _http.Dispose();
}
