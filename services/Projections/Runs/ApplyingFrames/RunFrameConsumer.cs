using Marten;
using MassTransit;
using Npgsql;
using Runstream.Blobs;
using Runstream.Contracts.Bus;
using Runstream.Projections.Bus;
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
public sealed class RunFrameConsumer(IDocumentStore store, SpilledFrames spill, StorageRetry retry, PipelineHealth health, FrameConsumerOptions options,
    ForksAndRewinds forksAndRewinds, ILogger<RunFrameConsumer> logger)
    : IConsumer<Batch<RunFrameReceived>>
{
    private static readonly System.Diagnostics.Metrics.Histogram<double> ApplyLag =
        ServiceDefaults.RunstreamTelemetry.Meter.CreateHistogram<double>("runstream.projections.lag", unit: "ms", description: "From a frame's arrival at Ingest to its event being applied");

    private static readonly System.Diagnostics.Metrics.Counter<long> UnreadableFrames =
        ServiceDefaults.RunstreamTelemetry.Meter.CreateCounter<long>("runstream.projections.unreadable_frames", description: "Frames that could not be decoded and were recorded as rejected");

    public async Task Consume(ConsumeContext<Batch<RunFrameReceived>> context)
    {
        var messages = context.Message.Select(m => m.Message).ToList();
        var frames = messages.Where(m => m.ProgressProbe is null).ToList();
        // Transactions bounded by bytes as well as by count: a batch of large frames (10 MB configs)
        // is applied a few at a time, so memory follows the limit, not the batch size.
        foreach (var part in FrameBatches.ByBytes(frames, options.MaxTransactionBytes))
            await retry.UntilStoredAsync("frames", part.Count, () => ApplyBatchAsync(part, context), context.CancellationToken);
        // Answered after the frames before them are stored: a probe tells Ingest its run is caught up.
        if (messages.Where(m => m.ProgressProbe is not null).Select(m => m.ProgressProbe!).ToList() is { Count: > 0 } probes)
            await retry.UntilStoredAsync("progress probes", probes.Count, () => AnswerAsync(probes, context.CancellationToken), context.CancellationToken);
        if (messages.Count > 0)
            health.Stored("frames", messages.Min(m => m.ReceivedAt), options.CaughtUpTolerance);
    }

    private async Task AnswerAsync(List<string> probes, CancellationToken cancellation)
    {
        await using var session = store.LightweightSession();
        foreach (var probe in probes)
            session.Store(new ProgressProbeAnswer { Id = probe, AnsweredAt = DateTimeOffset.UtcNow });
        await session.SaveChangesAsync(cancellation);
    }

    private async Task ApplyBatchAsync(IReadOnlyList<RunFrameReceived> frames, ConsumeContext context)
    {
        var arrived = frames.ToLookup(RunKeyOf);
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
                logger.LogWarning("Frame {Sequence} of {Run} cannot be stored ({Error}); recorded as rejected.", frame.Sequence, runKey, e.Message);
                UnreadableFrames.Add(1);
                var rejected = frame with { Frame = [], Rejection = $"The frame cannot be stored: {PostgresErrorOf(e)?.MessageText}" };
                try
                {
                    lookAgain.UnionWith(await ApplyAsync([runKey], new[] { rejected }.ToLookup(RunKeyOf), cancellation));
                }
                catch (Exception again) when (IsUnstorable(again))
                {
                    // Not even its rejection can be stored (its run's own key cannot be), so there is no run to
                    // record it in: it goes to the endpoint's error queue, where it is kept and can be seen.
                    logger.LogError(again, "Frame {Sequence} of {Run} cannot be stored, nor its rejection; moved to the error queue.", frame.Sequence, runKey);
                    var errors = await context.GetSendEndpoint(new Uri($"queue:{context.ReceiveContext.InputAddress.AbsolutePath.Trim('/')}_error"));
                    await errors.Send(frame, cancellation);
                }
            }
        }
        return [.. lookAgain];
    }

    /// <summary>
    /// The data, not the database, is at fault, and a retry cannot help: PostgreSQL's class 22 (data
    /// exception) and 54000 (program limit exceeded, e.g. a document over jsonb's size limit).
    /// </summary>
    private static bool IsUnstorable(Exception e) =>
        PostgresErrorOf(e)?.SqlState is { } state && (state.StartsWith("22", StringComparison.Ordinal) || state == "54000");

    private static PostgresException? PostgresErrorOf(Exception e) => e as PostgresException ?? e.InnerException as PostgresException;

    /// <summary>Applies what can be applied in one transaction; returns the runs worth another look.</summary>
    private async Task<string[]> ApplyAsync(string[] runKeys, ILookup<string, RunFrameReceived> arrived, CancellationToken cancellation)
    {
        await using var session = store.LightweightSession();
        // Where each run stands, without its config and summary (a run's details can be megabytes).
        var runs = (await session.Query<RunDetails>().Where(run => run.Id.IsOneOf(runKeys))
                .Select(run => new { run.Id, run.LastSequence, run.StreamVersion, run.State, run.ConsoleLines, run.ConsoleBytes, run.ConsoleLimitReached, run.MediaBytes })
                .ToListAsync(cancellation))
            .ToDictionary(run => run.Id, run => new RunPosition(run.LastSequence, run.StreamVersion,
                new RunSoFar(run.State, run.ConsoleLines, run.ConsoleBytes, run.ConsoleLimitReached, run.MediaBytes)));
        // Which sequences wait, without their frames; only the ones that can be applied now are loaded.
        var parkedSequences = (await session.Query<ParkedFrame>().Where(p => p.RunKey.IsOneOf(runKeys))
                .Select(p => new { p.RunKey, p.Sequence }).ToListAsync(cancellation))
            .ToLookup(p => p.RunKey, p => p.Sequence);
        var needed = runKeys.SelectMany(runKey => FramePlan.ParkedNeeded(runs.GetValueOrDefault(runKey)?.LastSequence ?? 0,
                arrived[runKey].Select(f => f.Sequence).ToHashSet(), parkedSequences[runKey].ToHashSet())
            .Select(sequence => ParkedFrame.IdOf(runKey, sequence))).ToArray();
        var loaded = needed.Length == 0 ? [] : (await session.LoadManyAsync<ParkedFrame>(cancellation, needed)).ToDictionary(p => p.Id, p => p.Frame);

        var parkedNew = new List<string>();
        var applied = new List<string>();
        var spilled = new List<string>();
        var appends = new List<(string RunKey, long? StreamVersion, List<object> Events)>();
        foreach (var runKey in runKeys)
        {
            var parked = parkedSequences[runKey].ToDictionary(sequence => sequence, sequence => loaded.GetValueOrDefault(ParkedFrame.IdOf(runKey, sequence)));
            var run = runs.GetValueOrDefault(runKey);
            var plan = FramePlan.For(run?.LastSequence ?? 0, arrived[runKey], parked);
            List<object>? events = null;
            var heldBack = false;
            if (plan.Apply.Count > 0)
            {
                var frames = await WithPayloadsAsync(plan.Apply, cancellation);
                events = ToEvents(frames, run?.SoFar ?? RunSoFar.New, runKey);
                if (FramePlan.RewindAfterOthers(events) is { } at)
                {
                    var rewind = ((RunRewound)events[at]).Sequence;
                    logger.LogInformation("Frame {Sequence} of {Run} rewinds it; it waits until the frames before it are committed.", rewind, runKey);
                    (plan, heldBack) = (plan.HoldBackFrom(rewind), true);
                    events = events[..at];
                    frames = [.. frames.Where(f => f.Sequence < rewind)];
                }
                if (events.Any(e => e is Store.Runs.RunStarted { ForkedFrom: not null } or RunRewound))
                    events = await forksAndRewinds.ResolveAsync(session, runKey, events, cancellation);
                spilled.AddRange(frames.Where(f => f.SpilledFrame is not null).Select(f => f.SpilledFrame!));
            }
            foreach (var frame in plan.Park)
            {
                logger.LogInformation("Frame {Sequence} of {Run} arrived before frame {Missing}; parked until it comes.", frame.Sequence, runKey, (run?.LastSequence ?? 0) + 1);
                session.Store(ParkedFrame.Of(runKey, frame));
            }
            foreach (var sequence in plan.Unpark)
                session.Delete<ParkedFrame>(ParkedFrame.IdOf(runKey, sequence));
            if (plan.Park.Count > 0 || heldBack)
                parkedNew.Add(runKey);
            if (events is { Count: > 0 })
            {
                appends.Add((runKey, run?.StreamVersion, events));
                applied.Add(runKey);
            }
        }
        await RunNaming.NameNewRunsAsync(session, [.. appends.Select(a => a.Events)], cancellation);
        foreach (var (runKey, streamVersion, events) in appends)
            RunStreams.Append(session, runKey, streamVersion, events);
        // Delivered on commit, to every Query instance's live updates.
        RunChanges.Notify(session, applied);
        await session.SaveChangesAsync(cancellation);
        // Applied for good: a copy delivered again is a duplicate, dropped without its payload.
        foreach (var digest in spilled)
            spill.Delete(digest);
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

    /// <summary>
    /// Spilled payloads read from the blob volume, only for the frames applied now. A payload that is
    /// gone (a volume not shared with Ingest) makes its frame a rejection that says so, not a stalled queue.
    /// </summary>
    private async Task<List<RunFrameReceived>> WithPayloadsAsync(IReadOnlyList<RunFrameReceived> frames, CancellationToken cancellation)
    {
        var loaded = new List<RunFrameReceived>(frames.Count);
        foreach (var frame in frames)
        {
            if (frame.SpilledFrame is not { } digest || frame.Rejection is not null)
            {
                loaded.Add(frame);
                continue;
            }
            if (await spill.ReadAsync(digest, cancellation) is { } payload)
            {
                loaded.Add(frame with { Frame = payload });
                continue;
            }
            logger.LogError("The payload of frame {Sequence} of run {Run} ({Digest}) is not on the blob volume; recorded as rejected.", frame.Sequence, frame.RunId, digest);
            loaded.Add(frame with { Rejection = $"The frame's payload ({frame.FrameBytes} bytes, kept apart as {digest}) was not found on the blob volume." });
        }
        return loaded;
    }

    /// <summary>The events of frames applied in order; a crashed run that speaks again is revived first.</summary>
    private List<object> ToEvents(IReadOnlyList<RunFrameReceived> frames, RunSoFar soFar, string runKey)
    {
        var events = new List<object>();
        foreach (var frame in frames)
        {
            var @event = ToEvent(frame, soFar, runKey);
            if (soFar.State == RunState.Crashed && @event is not (Store.Runs.RunResumed or RunRewound))
                events.Add(new RunRevived(frame.ReceivedAt));
            events.Add(@event);
            soFar = soFar.After(@event);
        }
        return events;
    }

    /// <summary>A frame that cannot be read is recorded as rejected, in its place, so the run's later frames are not held up.</summary>
    private object ToEvent(RunFrameReceived frame, RunSoFar soFar, string runKey)
    {
        try
        {
            return RunFrameEvents.ToEvent(frame, soFar);
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

    private sealed record RunPosition(long LastSequence, long StreamVersion, RunSoFar SoFar);

    private static string RunKeyOf(RunFrameReceived frame) => new RunKey(frame.Entity, frame.Project, frame.RunId).ToString();
}
