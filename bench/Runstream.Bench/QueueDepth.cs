using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Runstream.Bench;

/// <summary>The frames queue's depth from RabbitMQ's management API: a run starts from an idle pipeline.</summary>
internal sealed class QueueDepth(string managementUrl, string queue) : IDisposable
{
    private readonly HttpClient _http = new()
    {
        BaseAddress = new Uri(managementUrl),
        DefaultRequestHeaders = { Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String("guest:guest"u8.ToArray())) },
    };

    public async Task<long> MessagesAsync()
    {
        using var response = await _http.GetAsync($"/api/queues/%2F/{queue}");
        return response.IsSuccessStatusCode
            ? (await response.Content.ReadFromJsonAsync<JsonNode>())?["messages"]?.GetValue<long>() ?? 0
            : 0;
    }

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
