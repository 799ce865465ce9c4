using Runstream.Store.Live;
using JasperFx;
using JasperFx.Events;
using Marten;
using Microsoft.Extensions.Options;
using Runstream.Projections.Bus;
using Runstream.Store.Runs;

namespace Runstream.Projections.Runs.DetectingCrashes;

public sealed class CrashDetectionOptions
{
    /// <summary>A running run neither logging nor sending heartbeats for this long is marked crashed.</summary>
    public TimeSpan CrashAfter { get; set; } = TimeSpan.FromMinutes(2);
}

/// <summary>
/// Marks running runs that went silent as crashed. Silence means no event (every frame is one)
/// and no heartbeat since <see cref="CrashDetectionOptions.CrashAfter"/>. With several Projections
/// instances each may look; Marten's optimistic concurrency lets one mark a run.
/// </summary>
public sealed class CrashDetector(IDocumentStore store, IOptions<CrashDetectionOptions> options, PipelineHealth pipeline, TimeProvider clock, ILogger<CrashDetector> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var crashAfter = options.Value.CrashAfter;
        using var timer = new PeriodicTimer(TimeSpan.FromTicks(Math.Max(crashAfter.Ticks / 4, TimeSpan.FromMilliseconds(250).Ticks)), clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            // While the queues hold frames and heartbeats not yet stored (after an outage, or at start),
            // the read model's "last heard" is old for runs that are alive: no judging until caught up.
            if (!pipeline.IsCaughtUp(crashAfter))
                continue;
            try
            {
                await MarkSilentRunsAsync(clock.GetUtcNow() - crashAfter, stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Looking for crashed runs failed; trying again at the next tick.");
            }
        }
    }

    private async Task MarkSilentRunsAsync(DateTimeOffset silentSince, CancellationToken cancellation)
    {
        await using var query = store.QuerySession();
        var candidates = await query.Query<RunDetails>()
            .Where(run => run.State == RunState.Running && run.UpdatedAt < silentSince)
            .Select(run => run.Id)
            .ToListAsync(cancellation);
        if (candidates.Count == 0)
            return;

        var liveness = (await query.LoadManyAsync<RunLiveness>(cancellation, candidates)).ToDictionary(l => l.Id);
        foreach (var runKey in candidates)
        {
            var lastHeartbeat = liveness.GetValueOrDefault(runKey)?.LastSeenAt;
            if (lastHeartbeat >= silentSince)
                continue;
            await using var session = store.LightweightSession();
            var run = await session.LoadAsync<RunDetails>(runKey, cancellation);
            if (run is not { State: RunState.Running } || run.UpdatedAt >= silentSince)
                continue;
            var lastSeen = lastHeartbeat is { } seen && seen > run.UpdatedAt ? seen : run.UpdatedAt;
            RunStreams.Append(session, runKey, run.StreamVersion, [new RunCrashed(lastSeen)]);
            RunChanges.Notify(session, runKey);
            try
            {
                await session.SaveChangesAsync(cancellation);
                logger.LogInformation("Run {Run} went silent at {LastSeen}: marked crashed.", runKey, lastSeen);
            }
            catch (Exception e) when (e is ConcurrencyException or JasperFx.Events.EventStreamUnexpectedMaxEventIdException)
            {
                // The run spoke (or another instance marked it) meanwhile.
            }
        }
    }
}
