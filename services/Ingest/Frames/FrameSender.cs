using MassTransit;
using Microsoft.Extensions.Options;
using Runstream.Contracts.Bus;

namespace Runstream.Ingest.Frames;

/// <summary>Hands accepted frames to the broker; the returned task completes on the broker's confirm.</summary>
public sealed class FrameSender(IBus bus, IOptions<IngestOptions> options)
{
    private readonly Uri _queue = new($"queue:{options.Value.Queue}");
    private ISendEndpoint? _endpoint;

    public async Task SendAsync(RunFrameReceived frame, CancellationToken cancellation)
    {
        _endpoint ??= await bus.GetSendEndpoint(_queue);
        await _endpoint.Send(frame, cancellation);
    }
}
