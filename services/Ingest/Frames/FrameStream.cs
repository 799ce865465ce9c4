using System.Threading.Channels;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.Options;
using Runstream.Contracts.Bus;
using Runstream.Contracts.V1;
using Runstream.ServiceDefaults;

namespace Runstream.Ingest.Frames;

/// <summary>
/// One client's bidirectional stream. Frames are validated and handed to the broker as they
/// arrive, many awaiting their confirm at once; replies go back in arrival order, and a frame is
/// acknowledged only after its confirm, so an ack always means the frame is durable.
/// </summary>
public sealed class FrameStream(FrameSender sender, IOptions<IngestOptions> options, Security.EntityRateLimits limits, string entity, ILogger logger)
{
    private static readonly System.Diagnostics.Metrics.Counter<long> FramesAccepted =
        RunstreamTelemetry.Meter.CreateCounter<long>("runstream.ingest.frames", description: "Frames accepted by Ingest");
    private static readonly System.Diagnostics.Metrics.Counter<long> FramesRejected =
        RunstreamTelemetry.Meter.CreateCounter<long>("runstream.ingest.frames_rejected", description: "Frames refused with an error");
    private static readonly System.Diagnostics.Metrics.Histogram<double> AckLatency =
        RunstreamTelemetry.Meter.CreateHistogram<double>("runstream.ingest.ack_latency", unit: "ms", description: "From a frame's arrival to its ack");

    /// <summary>A frame on its way: the broker's confirm to wait for, and what to answer.</summary>
    private sealed record Pending(RunRef Run, long Sequence, Task Confirmed, FrameError? Error, bool Recorded, long ArrivedAt);

    public async Task RunAsync(IAsyncStreamReader<RunFrame> frames, IServerStreamWriter<IngestReply> replies, CancellationToken cancellation)
    {
        var inFlight = Channel.CreateBounded<Pending>(new BoundedChannelOptions(options.Value.MaxFramesInFlight)
        {
            SingleReader = true,
            SingleWriter = true,
        });
        var replying = ReplyInOrderAsync(inFlight.Reader, replies, cancellation);
        var reading = AcceptAllAsync(frames, inFlight.Writer, cancellation);
        // If replying fails (the broker refused a frame), end the call now with its status rather
        // than keep reading frames that nobody will answer.
        if (await Task.WhenAny(reading, replying) == replying)
            await replying;
        try
        {
            await reading;
        }
        finally
        {
            // Reading stopped (the client closed, or a rate limit ended the stream): acknowledge
            // what was accepted before, so the client does not send it again.
            await replying;
        }
    }

    private async Task AcceptAllAsync(IAsyncStreamReader<RunFrame> frames, ChannelWriter<Pending> inFlight, CancellationToken cancellation)
    {
        try
        {
            await foreach (var frame in frames.ReadAllAsync(cancellation))
                if (Accept(frame, cancellation) is { } pending)
                    await inFlight.WriteAsync(pending, cancellation);
        }
        finally
        {
            inFlight.TryComplete();
        }
    }

    /// <summary>The highest sequence seen per run on this stream: on one stream a run's sequence only grows.</summary>
    private readonly Dictionary<(string Project, string RunId), long> _lastSequences = [];

    /// <summary>What to answer for the frame, or null for a heartbeat, which gets no answer.</summary>
    private Pending? Accept(RunFrame frame, CancellationToken cancellation)
    {
        var arrivedAt = System.Diagnostics.Stopwatch.GetTimestamp();
        // One span per frame, the parent of MassTransit's send span, which the consumer and Marten continue.
        using var activity = RunstreamTelemetry.Source.StartActivity("ingest frame");
        if (FrameValidator.ValidateAddress(frame) is { } addressProblem)
        {
            // Without a valid run and sequence there is nothing to record the rejection in.
            FramesRejected.Add(1);
            return new Pending(frame.Run ?? new RunRef(), frame.Sequence, Task.CompletedTask, ToError(frame, addressProblem), Recorded: false, arrivedAt);
        }

        if (frame.PayloadCase == RunFrame.PayloadOneofCase.Heartbeat)
        {
            ForwardHeartbeat(frame.Run, cancellation);
            return null;
        }
        var run = (frame.Run.Project, frame.Run.RunId);
        if (_lastSequences.TryGetValue(run, out var last) && frame.Sequence <= last)
        {
            // Re-sending belongs on a new stream; on this one the slot is taken, so there is nothing to record.
            FramesRejected.Add(1);
            var regression = new FrameProblem("sequence", $"Sequence {frame.Sequence} does not follow {last}: on one stream a run's sequence numbers only grow.");
            return new Pending(frame.Run, frame.Sequence, Task.CompletedTask, ToError(frame, regression), Recorded: false, arrivedAt);
        }
        // Over the entity's rate the stream ends here: this frame and those after it are not acknowledged, and the client re-sends them later.
        limits.Take(entity, frame.Metrics?.Rows.Sum(row => row.Values.Count) ?? 0);
        _lastSequences[run] = frame.Sequence;

        activity?.SetTag("runstream.project", frame.Run.Project);
        activity?.SetTag("runstream.run_id", frame.Run.RunId);
        activity?.SetTag("runstream.sequence", frame.Sequence);
        var problem = FrameValidator.ValidatePayload(frame);
        var message = new RunFrameReceived
        {
            Entity = entity,
            Project = frame.Run.Project,
            RunId = frame.Run.RunId,
            Sequence = frame.Sequence,
            ReceivedAt = DateTimeOffset.UtcNow,
            Frame = problem is null ? frame.ToByteArray() : [],
            Rejection = problem is null ? null : $"{problem.Field}: {problem.Message}",
        };
        if (problem is null)
            FramesAccepted.Add(1);
        else
            FramesRejected.Add(1);
        // A rejected frame still takes its place in the run's sequence, so later frames are not held up.
        return new Pending(frame.Run, frame.Sequence, sender.SendAsync(message, cancellation), problem is null ? null : ToError(frame, problem), Recorded: true, arrivedAt);
    }

    private void ForwardHeartbeat(RunRef run, CancellationToken cancellation)
    {
        var heartbeat = new RunHeartbeatReceived
        {
            Entity = entity,
            Project = run.Project,
            RunId = run.RunId,
            ReceivedAt = DateTimeOffset.UtcNow,
        };
        // Nobody waits for a heartbeat: a lost one only means the next one counts.
        _ = sender.SendAsync(heartbeat, cancellation).ContinueWith(
            sent => logger.LogDebug(sent.Exception, "A heartbeat of run {Run} was not sent.", run.RunId),
            TaskContinuationOptions.OnlyOnFaulted);
    }

    private async Task ReplyInOrderAsync(ChannelReader<Pending> inFlight, IServerStreamWriter<IngestReply> replies, CancellationToken cancellation)
    {
        await foreach (var pending in inFlight.ReadAllAsync(cancellation))
        {
            try
            {
                await pending.Confirmed;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The broker did not take the frame: no ack, the client keeps it and re-sends it.
                logger.LogWarning(e, "Frame {Sequence} of run {Run} was not confirmed by the broker.", pending.Sequence, pending.Run.RunId);
                throw new RpcException(new Status(StatusCode.Unavailable, "The message broker did not confirm the frame; re-send from the last ack."));
            }

            if (pending.Error is not null)
                await replies.WriteAsync(new IngestReply { Error = pending.Error }, cancellation);
            if (pending.Recorded)
                await replies.WriteAsync(new IngestReply { Ack = new Ack { Run = pending.Run, Sequence = pending.Sequence } }, cancellation);
            AckLatency.Record(System.Diagnostics.Stopwatch.GetElapsedTime(pending.ArrivedAt).TotalMilliseconds);
        }
    }

    private static FrameError ToError(RunFrame frame, FrameProblem problem) => new()
    {
        Run = frame.Run ?? new RunRef(),
        Sequence = frame.Sequence,
        Code = "INVALID_ARGUMENT",
        Field = problem.Field,
        Message = problem.Message,
    };
}
