using Marten;
using MassTransit;
using Runstream.Contracts.Bus;
using Runstream.Store.Runs;

namespace Runstream.Projections.Runs.ApplyingFrames;

/// <summary>
/// Appends each frame's event to its run's stream exactly once and in sequence order. The run's
/// details (kept inline, in the same transaction) know the last applied sequence: a frame at or
/// below it is a duplicate and is dropped; one beyond the next is parked until its predecessor
/// has been applied. The stream row is locked while a frame is applied or parked, so an
/// instance applying a predecessor and one parking its successor never miss each other.
/// </summary>
public sealed class RunFrameConsumer(IDocumentStore store, ILogger<RunFrameConsumer> logger) : IConsumer<RunFrameReceived>
{
    public async Task Consume(ConsumeContext<RunFrameReceived> context)
    {
        var frame = context.Message;
        var runKey = new RunKey(frame.Entity, frame.Project, frame.RunId).ToString();
        var next = await ApplyAsync(runKey, frame, parked: null, context.CancellationToken);
        // Frames that arrived early may now be next in line.
        while (next is not null)
            next = await ApplyAsync(runKey, next.Frame, next, context.CancellationToken);
    }

    /// <summary>Applies or parks one frame; returns the parked frame that is next in line, if any.</summary>
    private async Task<ParkedFrame?> ApplyAsync(string runKey, RunFrameReceived frame, ParkedFrame? parked, CancellationToken cancellation)
    {
        await using var session = store.LightweightSession();
        var stream = await session.Events.FetchForExclusiveWriting<RunDetails>(runKey, cancellation);
        var applied = stream.Aggregate?.LastSequence ?? 0;

        if (frame.Sequence <= applied)
        {
            logger.LogDebug("Frame {Sequence} of {Run} was already applied; dropped.", frame.Sequence, runKey);
            if (parked is not null)
            {
                session.Delete(parked);
                await session.SaveChangesAsync(cancellation);
            }
            return null;
        }
        if (frame.Sequence > applied + 1)
        {
            logger.LogInformation("Frame {Sequence} of {Run} arrived before frame {Missing}; parked until it comes.", frame.Sequence, runKey, applied + 1);
            var parking = ParkedFrame.Of(runKey, frame);
            session.Store(parking);
            await session.SaveChangesAsync(cancellation);
            // The predecessor may have been applied since we looked; whoever commits second sees the
            // other's commit, so either the applier finds this parked frame or we find its predecessor.
            await using var recheck = store.QuerySession();
            var now = await recheck.LoadAsync<RunDetails>(runKey, cancellation);
            return now?.LastSequence >= frame.Sequence - 1 ? parking : null;
        }

        var @event = ToEvent(frame, stream.Aggregate?.State ?? RunState.Running, runKey);
        if (stream.Aggregate?.State == RunState.Crashed && @event is not Store.Runs.RunResumed)
            stream.AppendOne(new RunRevived(frame.ReceivedAt));
        stream.AppendOne(@event);
        if (parked is not null)
            session.Delete(parked);
        await session.SaveChangesAsync(cancellation);

        await using var query = store.QuerySession();
        return await query.Query<ParkedFrame>()
            .Where(p => p.RunKey == runKey && p.Sequence == frame.Sequence + 1)
            .FirstOrDefaultAsync(cancellation);
    }

    /// <summary>A frame that cannot be read is recorded as rejected, in its place, so the run's later frames are not held up.</summary>
    private object ToEvent(RunFrameReceived frame, RunState state, string runKey)
    {
        try
        {
            return RunFrameEvents.ToEvent(frame, state);
        }
        catch (Exception e) when (e is Google.Protobuf.InvalidProtocolBufferException or FormatException or System.Text.Json.JsonException)
        {
            logger.LogWarning(e, "Frame {Sequence} of {Run} cannot be read; recorded as rejected.", frame.Sequence, runKey);
            UnreadableFrames.Add(1);
            return new Store.Runs.FrameRejected(frame.Sequence, $"The frame cannot be read: {e.Message}");
        }
    }

    private static readonly System.Diagnostics.Metrics.Counter<long> UnreadableFrames =
        ServiceDefaults.RunstreamTelemetry.Meter.CreateCounter<long>("runstream.projections.unreadable_frames", description: "Frames that could not be decoded and were recorded as rejected");
}
