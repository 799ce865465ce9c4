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
public sealed class FrameStream(FrameSender sender, Content.ArtifactContent content, Content.MediaContent media, IOptions<IngestOptions> options, Security.EntityRateLimits limits, string entity, ILogger logger)
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
            while (await NextAsync(frames, cancellation) is (true, var frame, var unreadable))
                if ((frame is null ? Unreadable(unreadable!) : await AcceptAsync(frame, cancellation)) is { } pending)
                    await inFlight.WriteAsync(pending, cancellation);
        }
        finally
        {
            inFlight.TryComplete();
        }
    }

    /// <summary>
    /// The next frame; or, for a message that is no <c>RunFrame</c> at all, why not. gRPC has already
    /// taken the whole message off the stream (it is length-prefixed), so reading goes on after it.
    /// </summary>
    private static async Task<(bool More, RunFrame? Frame, string? Unreadable)> NextAsync(IAsyncStreamReader<RunFrame> frames, CancellationToken cancellation)
    {
        try
        {
            return await frames.MoveNext(cancellation) ? (true, frames.Current, null) : (false, null, null);
        }
        catch (InvalidProtocolBufferException e)
        {
            return (true, null, e.Message);
        }
    }

    private Pending Unreadable(string why)
    {
        FramesRejected.Add(1);
        // One line, no stack: a client sending garbage must not flood the log.
        logger.LogWarning("A message on a frame stream of entity {Entity} is not a runstream.v1.RunFrame: {Reason}", entity, why);
        var error = new FrameError
        {
            Run = new RunRef(),
            Code = "INVALID_ARGUMENT",
            Field = "frame",
            Message = $"The message is not a runstream.v1.RunFrame in protobuf encoding ({why}); it was skipped and the stream goes on. It names no run, so nothing is recorded.",
        };
        return new Pending(error.Run, 0, Task.CompletedTask, error, Recorded: false, System.Diagnostics.Stopwatch.GetTimestamp());
    }

    /// <summary>The sequences accepted per run on this stream, in whatever order they came.</summary>
    private readonly Dictionary<(string Project, string RunId), SequenceSet> _accepted = [];

    /// <summary>What to answer for the frame, or null for a heartbeat, which gets no answer.</summary>
    private async ValueTask<Pending?> AcceptAsync(RunFrame frame, CancellationToken cancellation)
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
            limits.Take(entity, 0, frame.CalculateSize());
            ForwardHeartbeat(frame.Run, cancellation);
            return null;
        }
        var run = (frame.Run.Project, frame.Run.RunId);
        if (!_accepted.TryGetValue(run, out var accepted))
            _accepted[run] = accepted = new SequenceSet();
        else if (accepted.Contains(frame.Sequence))
        {
            // Sent twice on this stream: the first copy is with the broker (its ack goes out first), and
            // Projections would drop a second as a duplicate anyway.
            return new Pending(frame.Run, frame.Sequence, Task.CompletedTask, Error: null, Recorded: true, arrivedAt);
        }
        // Serialised once: its length is what the byte rate counts, and the bytes are what goes to the broker.
        var payload = frame.ToByteArray();
        // Over the entity's rate the stream ends here: this frame and those after it are not acknowledged, and the client re-sends them later.
        limits.Take(entity, frame.Metrics?.Rows.Sum(row => row.Values.Count) ?? 0, payload.Length);
        accepted.Add(frame.Sequence);

        activity?.SetTag("runstream.project", frame.Run.Project);
        activity?.SetTag("runstream.run_id", frame.Run.RunId);
        activity?.SetTag("runstream.sequence", frame.Sequence);
        var problem = FrameValidator.ValidatePayload(frame) ?? await ValidateContentAsync(frame, cancellation);
        var message = new RunFrameReceived
        {
            Entity = entity,
            Project = frame.Run.Project,
            RunId = frame.Run.RunId,
            Sequence = frame.Sequence,
            ReceivedAt = DateTimeOffset.UtcNow,
            Rejection = problem is null ? null : $"{problem.Field}: {problem.Message}",
        };
        if (problem is null)
            FramesAccepted.Add(1);
        else
            FramesRejected.Add(1);
        // A rejected frame still takes its place in the run's sequence, so later frames are not held up.
        return new Pending(frame.Run, frame.Sequence, sender.SendAsync(message, problem is null ? payload : [], cancellation),
            problem is null ? null : ToError(frame, problem), Recorded: true, arrivedAt);
    }

    /// <summary>
    /// Artifacts and media may name only content their entity uploaded (a digest alone must not open another
    /// entity's bytes), and media files must hold what the frame says they do.
    /// </summary>
    private async ValueTask<FrameProblem?> ValidateContentAsync(RunFrame frame, CancellationToken cancellation)
    {
        if (frame.PayloadCase is not (RunFrame.PayloadOneofCase.ArtifactLogged or RunFrame.PayloadOneofCase.Media))
            return null;
        try
        {
            return frame.PayloadCase == RunFrame.PayloadOneofCase.Media
                ? await media.ProblemAsync(entity, frame.Media, cancellation)
                : await ArtifactProblemAsync(frame.ArtifactLogged.Files, cancellation);
        }
        catch (Exception e) when (e is Npgsql.NpgsqlException or TimeoutException)
        {
            // Not acknowledged: the client re-sends the frame, and the rest after it, on a new stream.
            throw new RpcException(new Status(StatusCode.Unavailable, "The frame's content cannot be checked now (the database is unavailable); re-send from the last ack."));
        }
    }

    private async Task<FrameProblem?> ArtifactProblemAsync(IList<ArtifactFile> files, CancellationToken cancellation)
    {
        var held = await content.HeldAsync(entity, files.Select(f => f.Digest), cancellation);
        for (var i = 0; i < files.Count; i++)
            if (!held.Contains(files[i].Digest))
                return new FrameProblem($"artifact_logged.files[{i}].digest",
                    $"'{files[i].Path}': this entity has not uploaded content {files[i].Digest}; upload it with UploadContent before logging the artifact.");
        return null;
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
                // A confirm lost in the broker connection's recovery would stall the stream for good; a
                // bounded wait ends it instead, and the client re-sends from its last ack on a new one.
                await pending.Confirmed.WaitAsync(options.Value.ConfirmTimeout, cancellation);
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
