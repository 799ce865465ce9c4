using System.Text.Json;
using Runstream.Query.Security;

namespace Runstream.Query.Live;

/// <summary>A server-sent event stream fed by <see cref="ChangeFeed"/>: coalesced changes, keep-alives, and an end on revocation.</summary>
public static class EventStream
{
    private static readonly TimeSpan Coalesce = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Streams events until the client goes away or its key is revoked; a revoked key gets a last
    /// 'revoked' event, within seconds of the revocation. <paramref name="onOpen"/> sends what comes before the first change.
    /// </summary>
    public static async Task StreamAsync(HttpContext http, ChangeFeed.Subscription subscription, Func<HashSet<string>, CancellationToken, Task> onChange,
        Func<CancellationToken, Task>? onOpen = null)
    {
        http.Response.ContentType = "text/event-stream";
        http.Response.Headers.CacheControl = "no-cache";
        // Proxies (nginx) would otherwise hold the events back in their buffers.
        http.Response.Headers["X-Accel-Buffering"] = "no";
        using var watch = http.WatchKey();
        using var open = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, watch.Revoked);
        var cancellation = open.Token;
        try
        {
            await http.Response.WriteAsync(": connected\n\n", cancellation);
            if (onOpen is not null)
                await onOpen(cancellation);
            await http.Response.Body.FlushAsync(cancellation);
            var next = subscription.NextAsync(Coalesce, cancellation);
            while (!cancellation.IsCancellationRequested)
            {
                if (await Task.WhenAny(next, Task.Delay(KeepAlive, cancellation)) != next)
                {
                    await http.Response.WriteAsync(": keep-alive\n\n", cancellation);
                    await http.Response.Body.FlushAsync(cancellation);
                    continue;
                }
                await onChange(await next, cancellation);
                await http.Response.Body.FlushAsync(cancellation);
                next = subscription.NextAsync(Coalesce, cancellation);
            }
        }
        catch (OperationCanceledException) when (watch.IsRevoked && !http.RequestAborted.IsCancellationRequested)
        {
            await http.Response.WriteAsync("event: revoked\ndata: {\"detail\":\"The API key was revoked; the stream ends here.\"}\n\n", http.RequestAborted);
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
            // The client went away.
        }
    }

    public static async Task SendAsync<T>(HttpContext http, string name, T data, JsonSerializerOptions options, CancellationToken cancellation) =>
        await http.Response.WriteAsync($"event: {name}\ndata: {JsonSerializer.Serialize(data, options)}\n\n", cancellation);
}
