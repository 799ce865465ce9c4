using Marten;
using MassTransit;
using Runstream.Contracts.Bus;
using Runstream.Store.Runs;

namespace Runstream.Projections.Runs.ApplyingFrames;

/// <summary>
/// Appends each frame's event to its run's stream exactly once and in sequence order. The run's
/// details (kept inline, in the same transaction) know the last applied sequence: a frame at or
/// below it is a duplicate and is dropped; one beyond the next is early and waits (is retried)
/// until its predecessor has been applied. Marten's optimistic concurrency on the stream makes
/// a concurrent writer of the same run fail and retry rather than apply a frame twice.
/// </summary>
public sealed class RunFrameConsumer(IDocumentStore store, ILogger<RunFrameConsumer> logger) : IConsumer<RunFrameReceived>
{
    public async Task Consume(ConsumeContext<RunFrameReceived> context)
    {
        var frame = context.Message;
        var streamKey = new RunKey(frame.Entity, frame.Project, frame.RunId).ToString();

        await using var session = store.LightweightSession();
        var stream = await session.Events.FetchForWriting<RunDetails>(streamKey, context.CancellationToken);
        var applied = stream.Aggregate?.LastSequence ?? 0;

        if (frame.Sequence <= applied)
        {
            logger.LogDebug("Frame {Sequence} of {Run} was already applied; dropped.", frame.Sequence, streamKey);
            return;
        }
        if (frame.Sequence > applied + 1)
            throw new FrameAheadOfPredecessorException(streamKey, frame.Sequence, applied);

        var @event = RunFrameEvents.ToEvent(frame, stream.Aggregate?.State ?? RunState.Running);
        if (stream.Aggregate?.State == RunState.Crashed && @event is not Store.Runs.RunResumed)
            stream.AppendOne(new RunRevived(frame.ReceivedAt));
        stream.AppendOne(@event);
        await session.SaveChangesAsync(context.CancellationToken);
    }
}

public sealed class FrameAheadOfPredecessorException(string run, long sequence, long applied)
    : Exception($"Frame {sequence} of run {run} arrived before frame {applied + 1}; it waits for it.");
