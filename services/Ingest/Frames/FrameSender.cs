using MassTransit;
using Microsoft.Extensions.Options;
using Runstream.Contracts.Bus;
using Runstream.ServiceDefaults;

namespace Runstream.Ingest.Frames;

/// <summary>Hands accepted frames to the broker; the returned task completes on the broker's confirm.</summary>
public sealed class FrameSender(IBus bus, Blobs.SpilledFrames spill, IOptions<IngestOptions> options, IConfiguration configuration)
{
    private readonly IngestOptions _options = options.Value;
    private readonly ISendEndpoint?[] _partitions = new ISendEndpoint?[Math.Max(1, options.Value.Partitions)];
    private ISendEndpoint? _heartbeats;

    /// <summary>
    /// Sends a frame with its payload: inline, or for a payload over <see cref="IngestOptions.SpillFrameBytes"/>
    /// written (and synced) to the blob volume first, so the broker's copy stays small.
    /// </summary>
    public async Task SendAsync(RunFrameReceived frame, byte[] payload, CancellationToken cancellation)
    {
        var message = payload.Length > _options.SpillFrameBytes
            ? frame with { SpilledFrame = await spill.WriteAsync(payload, cancellation), FrameBytes = payload.Length }
            : frame with { Frame = payload, FrameBytes = payload.Length };
        await SendAsync(message, cancellation);
    }

    /// <summary>Every frame of a run goes to the same partition, so one Projections instance applies them all.</summary>
    public async Task SendAsync(RunFrameReceived frame, CancellationToken cancellation)
    {
        var partition = RunFrameQueue.PartitionOf(frame.Entity, frame.Project, frame.RunId, _partitions.Length);
        var endpoint = _partitions[partition] ??= await bus.GetSendEndpoint(
            bus.QueueAddress(configuration, RunFrameQueue.PartitionQueue(_options.Queue, _partitions.Length, partition)));
        await endpoint.Send(frame, cancellation);
    }

    public async Task SendAsync(RunHeartbeatReceived heartbeat, CancellationToken cancellation)
    {
        _heartbeats ??= await bus.GetSendEndpoint(bus.QueueAddress(configuration, _options.HeartbeatQueue));
        await _heartbeats.Send(heartbeat, cancellation);
    }
}
