using Marten;
using MassTransit;
using Npgsql;
using Runstream.Contracts.Bus;
using Runstream.Store.Live;
using Runstream.Store.Runs;

namespace Runstream.Projections.Runs.ApplyingFrames;

/// <summary>
/// Appends frames to their runs' streams exactly once and in sequence order, a batch of frames of
/// many runs per transaction: with a thousand runs each sending small frames, the cost per
/// transaction, not per point, is what limits ingest.
/// <para>
/// Each run's details (kept inline, in the same transaction) know the last applied sequence and
/// the stream's version. A frame at or below the last sequence is a duplicate and is dropped; one
/// beyond the next is parked until its predecessor arrives, and then applied like any other.
/// Appends name the stream version they expect, so a concurrent writer of the same run makes the
/// batch fail and retry, and the retry sees the frames it already applied as duplicates.
/// </para>
/// </summary>
public sealed class RunFrameConsumer(IDocumentStore store, ILogger<RunFrameConsumer> logger) : IConsumer<Batch<RunFrameReceived>>
{
    private static readonly System.Diagnostics.Metrics.Histogram<double> ApplyLag =
        ServiceDefaults.RunstreamTelemetry.Meter.CreateHistogram<double>("runstream.projections.lag", unit: "ms", description: "From a frame's arrival at Ingest to its event being applied");

    private static readonly System.Diagnostics.Metrics.Counter<long> UnreadableFrames =
        ServiceDefaults.RunstreamTelemetry.Meter.CreateCounter<long>("runstream.projections.unreadable_frames", description: "Frames that could not be decoded and were recorded as rejected");

    public async Task Consume(ConsumeContext<Batch<RunFrameReceived>> context)
    {
        try
        {
            await ApplyBatchAsync(context);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // MassTransit retries, then moves the batch to the _error queue with a Fault describing the
            // exception. Marten's and Npgsql's exceptions carry objects (commands, type mappers) that the
            // Fault cannot serialize, which would leave the batch nowhere; the full exception is logged
            // here and the Fault carries its type and message.
            logger.LogWarning(e, "Applying a batch of {Count} frames failed; it is retried, then moved to the error queue.", context.Message.Length);
            throw new FrameBatchFailedException($"{e.GetType().Name}: {e.Message}");
        }
    }

    private async Task ApplyBatchAsync(ConsumeContext<Batch<RunFrameReceived>> context)
    {
        var arrived = context.Message.Select(m => m.Message).ToLookup(RunKeyOf);
        string[] lookAgain;
        try
        {
            lookAgain = await ApplyAsync([.. arrived.Select(group => group.Key)], arrived, context.CancellationToken);
        }
        catch (Exception e) when (IsUnstorable(e))
        {
            lookAgain = await ApplyOneByOneAsync(arrived, context, context.CancellationToken);
        }

        // A run's frames may be applied by one batch while another (another instance, or a batch
        // redelivered after a reconnect) parks its successor. Each side looks again after its own
        // commit, so whichever commits second sees the other's work.
        var nothingArrived = Enumerable.Empty<RunFrameReceived>().ToLookup(RunKeyOf);
        while (lookAgain.Length > 0)
            lookAgain = await ApplyAsync(lookAgain, nothingArrived, context.CancellationToken);
    }

    /// <summary>
    /// A frame PostgreSQL refuses to store (a data exception: text it cannot hold, a number out of
    /// range) fails the transaction of its whole batch, and would again on every retry while the
    /// queue waits. The batch is then applied frame by frame; the frame refused is recorded as rejected.
    /// </summary>
    private async Task<string[]> ApplyOneByOneAsync(ILookup<string, RunFrameReceived> arrived, ConsumeContext context, CancellationToken cancellation)
    {
        var lookAgain = new HashSet<string>();
        foreach (var frame in arrived.SelectMany(run => run.OrderBy(f => f.Sequence)))
        {
            var runKey = RunKeyOf(frame);
            try
            {
                lookAgain.UnionWith(await ApplyAsync([runKey], new[] { frame }.ToLookup(RunKeyOf), cancellation));
            }
            catch (Exception e) when (IsUnstorable(e))
            {
                logger.LogWarning(e, "Frame {Sequence} of {Run} cannot be stored; recorded as rejected.", frame.Sequence, runKey);
                UnreadableFrames.Add(1);
                var rejected = frame with { Rejection = $"The frame cannot be stored: {(e as PostgresException ?? e.InnerException as PostgresException)?.MessageText}" };
                try
                {
                    lookAgain.UnionWith(await ApplyAsync([runKey], new[] { rejected }.ToLookup(RunKeyOf), cancellation));
                }
                catch (Exception again) when (IsUnstorable(again))
                {
                    // Not even its rejection can be stored (its run's own key cannot be), so there is no run to
                    // record it in: it goes to the endpoint's error queue, where it is kept and can be seen.
                    // (MassTransit would redeliver a failing batch rather than move it there.)
                    logger.LogError(again, "Frame {Sequence} of {Run} cannot be stored, nor its rejection; moved to the error queue.", frame.Sequence, runKey);
                    var errors = await context.GetSendEndpoint(new Uri($"queue:{context.ReceiveContext.InputAddress.AbsolutePath.Trim('/')}_error"));
                    await errors.Send(frame, cancellation);
                }
            }
        }
        return [.. lookAgain];
    }

    /// <summary>PostgreSQL's class 22, data exception: the data, not the database, is at fault, and a retry cannot help.</summary>
    private static bool IsUnstorable(Exception e) =>
        (e as PostgresException ?? e.InnerException as PostgresException)?.SqlState.StartsWith("22", StringComparison.Ordinal) == true;

    /// <summary>Applies what can be applied in one transaction; returns the runs worth another look.</summary>
    private async Task<string[]> ApplyAsync(string[] runKeys, ILookup<string, RunFrameReceived> arrived, CancellationToken cancellation)
    {
        await using var session = store.LightweightSession();
        var runs = (await session.LoadManyAsync<RunDetails>(cancellation, runKeys)).ToDictionary(run => run.Id);
        var parked = (await session.Query<ParkedFrame>().Where(p => p.RunKey.IsOneOf(runKeys)).ToListAsync(cancellation))
            .ToLookup(p => p.RunKey);

        var parkedNew = new List<string>();
        var applied = new List<string>();
        foreach (var runKey in runKeys)
        {
            var outcome = Apply(session, runKey, runs.GetValueOrDefault(runKey), arrived[runKey], parked[runKey]);
            if (outcome.ParkedNew)
                parkedNew.Add(runKey);
            if (outcome.Applied)
                applied.Add(runKey);
        }
        // Delivered on commit, to every Query instance's live updates.
        RunChanges.Notify(session, applied);
        await session.SaveChangesAsync(cancellation);
        var now = DateTimeOffset.UtcNow;
        foreach (var runKey in applied)
            foreach (var frame in arrived[runKey])
                ApplyLag.Record((now - frame.ReceivedAt).TotalMilliseconds);

        // Runs that moved on and have frames parked (by this batch or, meanwhile, by another) may have their next frame waiting.
        var appliedWithParked = applied.Count == 0 ? [] : await session.Query<ParkedFrame>()
            .Where(p => p.RunKey.IsOneOf(applied.ToArray()))
            .Select(p => p.RunKey)
            .ToListAsync(cancellation);
        return [.. parkedNew.Union(appliedWithParked)];
    }

    private readonly record struct Outcome(bool Applied, bool ParkedNew);

    private Outcome Apply(IDocumentSession session, string runKey, RunDetails? run, IEnumerable<RunFrameReceived> arrived, IEnumerable<ParkedFrame> parked)
    {
        var waiting = parked.ToDictionary(p => p.Sequence);
        var pending = arrived.Concat(waiting.Values.Select(p => p.Frame)).DistinctBy(f => f.Sequence).OrderBy(f => f.Sequence);
        var applied = run?.LastSequence ?? 0;
        var state = run?.State ?? RunState.Running;
        var events = new List<object>();
        var parkedNew = false;

        foreach (var frame in pending)
        {
            if (frame.Sequence > applied + 1)
            {
                if (!waiting.ContainsKey(frame.Sequence))
                {
                    logger.LogInformation("Frame {Sequence} of {Run} arrived before frame {Missing}; parked until it comes.", frame.Sequence, runKey, applied + 1);
                    session.Store(ParkedFrame.Of(runKey, frame));
                    parkedNew = true;
                }
                continue;
            }
            if (frame.Sequence == applied + 1)
            {
                var @event = ToEvent(frame, state, runKey);
                if (state == RunState.Crashed && @event is not Store.Runs.RunResumed)
                    events.Add(new RunRevived(frame.ReceivedAt));
                events.Add(@event);
                state = @event switch
                {
                    RunFinished finished => finished.ExitCode == 0 ? RunState.Finished : RunState.Failed,
                    Store.Runs.RunStarted or Store.Runs.RunResumed => RunState.Running,
                    _ => state == RunState.Crashed ? RunState.Running : state,
                };
                applied = frame.Sequence;
            }
            // Applied now, or a duplicate of an applied frame: either way no longer waiting.
            if (waiting.Remove(frame.Sequence, out var done))
                session.Delete(done);
        }

        if (events.Count > 0)
        {
            if (run is null)
                session.Events.StartStream<RunDetails>(runKey, events);
            else
                session.Events.Append(runKey, run.StreamVersion + events.Count, events);
        }
        return new Outcome(events.Count > 0, parkedNew);
    }

    /// <summary>A frame that cannot be read is recorded as rejected, in its place, so the run's later frames are not held up.</summary>
    private object ToEvent(RunFrameReceived frame, RunState state, string runKey)
    {
        try
        {
            return RunFrameEvents.ToEvent(frame, state);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Whatever makes one frame unreadable must not hold up the batch, and with it every other run
            // (a batch that keeps failing is retried for minutes while the queue waits behind it).
            logger.LogWarning(e, "Frame {Sequence} of {Run} cannot be read; recorded as rejected.", frame.Sequence, runKey);
            UnreadableFrames.Add(1);
            return new Store.Runs.FrameRejected(frame.Sequence, $"The frame cannot be read: {e.Message}");
        }
    }

    private static string RunKeyOf(RunFrameReceived frame) => new RunKey(frame.Entity, frame.Project, frame.RunId).ToString();
}

/// <summary>A batch could not be applied; the original exception is in the log.</summary>
public sealed class FrameBatchFailedException(string message) : Exception(message);
