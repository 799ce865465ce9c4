using Marten;
using MassTransit;
using Runstream.Contracts.Bus;
using Runstream.Store.Runs;

namespace Runstream.Projections.Runs.ApplyingFrames;

/// <summary>
/// Appends each frame's event to its run's stream exactly once and in sequence order. A run's
/// stream version is the sequence of its last applied frame, so Marten's expected-version check
/// is the idempotency check: a frame at or below the version is a duplicate and is dropped, one
/// beyond the next is early and waits (retried) until its predecessor has been applied.
/// </summary>
public sealed class RunFrameConsumer(IDocumentStore store, ILogger<RunFrameConsumer> logger) : IConsumer<RunFrameReceived>
{
    public async Task Consume(ConsumeContext<RunFrameReceived> context)
    {
        var frame = context.Message;
        var streamKey = new RunKey(frame.Entity, frame.Project, frame.RunId).ToString();

        await using var session = store.LightweightSession();
        var stream = await session.Events.FetchStreamStateAsync(streamKey, context.CancellationToken);
        var applied = stream?.Version ?? 0;

        if (frame.Sequence <= applied)
        {
            logger.LogDebug("Frame {Sequence} of {Run} was already applied; dropped.", frame.Sequence, streamKey);
            return;
        }
        if (frame.Sequence > applied + 1)
            throw new FrameAheadOfPredecessorException(streamKey, frame.Sequence, applied);

        var @event = RunFrameEvents.ToEvent(frame);
        if (stream is null)
            session.Events.StartStream<RunDetails>(streamKey, @event);
        else
            session.Events.Append(streamKey, frame.Sequence, @event);
        // A concurrent writer of the same frame makes this fail; the retry then sees it as a duplicate.
        await session.SaveChangesAsync(context.CancellationToken);
    }
}

public sealed class FrameAheadOfPredecessorException(string run, long sequence, long applied)
    : Exception($"Frame {sequence} of run {run} arrived before frame {applied + 1}; it waits for it.");
