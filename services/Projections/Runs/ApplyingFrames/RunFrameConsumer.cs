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
            session.Store(ParkedFrame.Of(runKey, frame));
            await session.SaveChangesAsync(cancellation);
            return null;
        }

        var @event = RunFrameEvents.ToEvent(frame, stream.Aggregate?.State ?? RunState.Running);
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
}
