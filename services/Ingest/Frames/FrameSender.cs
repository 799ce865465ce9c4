using MassTransit;
using Microsoft.Extensions.Options;
using Runstream.Contracts.Bus;

namespace Runstream.Ingest.Frames;

/// <summary>Hands accepted frames to the broker; the returned task completes on the broker's confirm.</summary>
public sealed class FrameSender(IBus bus, IOptions<IngestOptions> options)
{
    private readonly Uri _frames = new($"queue:{options.Value.Queue}");
    private readonly Uri _heartbeats = new($"queue:{options.Value.HeartbeatQueue}");
    private ISendEndpoint? _framesEndpoint;
    private ISendEndpoint? _heartbeatsEndpoint;

    public async Task SendAsync(RunFrameReceived frame, CancellationToken cancellation)
    {
        _framesEndpoint ??= await bus.GetSendEndpoint(_frames);
        await _framesEndpoint.Send(frame, cancellation);
    }

    public async Task SendAsync(RunHeartbeatReceived heartbeat, CancellationToken cancellation)
    {
        _heartbeatsEndpoint ??= await bus.GetSendEndpoint(_heartbeats);
        await _heartbeatsEndpoint.Send(heartbeat, cancellation);
    }
}
