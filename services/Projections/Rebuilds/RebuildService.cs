using Marten;
using Npgsql;
using Runstream.Store.Rebuilds;
using Runstream.Projections.Leadership;

namespace Runstream.Projections.Rebuilds;

/// <summary>
/// Carries out the rebuilds asked for through the admin API (<see cref="RebuildRequest"/>), oldest first, one at a
/// time: only the instance holding the <see cref="AdvisoryLock"/> runs them, and a daemon rebuild only on the instance
/// whose daemon runs the projection (<see cref="RebuildQueue.NextFor"/>). A request found running when the lock is
/// taken was left by an instance that stopped; a rebuild starts from scratch safely, so it runs again.
/// </summary>
public sealed class RebuildService(IDocumentStore store, NpgsqlDataSource database, RunStreamRebuilder streams, DaemonRebuilder daemon,
    TimeProvider clock, ILogger<RebuildService> logger) : BackgroundService
{
    private static readonly TimeSpan CheckEvery = TimeSpan.FromSeconds(1);
    /// <summary>How often progress is written: often enough for a progress line a second, rarely enough to cost nothing.</summary>
    private static readonly TimeSpan ReportEvery = TimeSpan.FromMilliseconds(500);

    protected override async Task ExecuteAsync(CancellationToken stopping)
    {
        using var timer = new PeriodicTimer(CheckEvery, clock);
        while (await timer.WaitForNextTickAsync(stopping))
        {
            try
            {
                if (await NextAsync(stopping) is null)
                    continue;
                await using var held = await AdvisoryLock.TryTakeAsync(database, AdvisoryLock.Rebuilds, stopping);
                if (held is null)
                    continue;
                while (await NextAsync(stopping) is { } request)
                    await RunAsync(request, stopping);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Looking for rebuild requests failed; trying again at the next tick.");
            }
        }
    }

    private async Task<RebuildRequest?> NextAsync(CancellationToken cancellation)
    {
        await using var session = store.QuerySession();
        var waiting = await session.Query<RebuildRequest>()
            .Where(r => r.State == RebuildState.Queued || r.State == RebuildState.Running)
            .OrderBy(r => r.RequestedAt).ToListAsync(cancellation);
        return RebuildQueue.NextFor(waiting, daemon.RunsShard);
    }

    private async Task RunAsync(RebuildRequest request, CancellationToken cancellation)
    {
        request.State = RebuildState.Running;
        request.StartedAt = clock.GetUtcNow();
        (request.EventsDone, request.PointsDone, request.StreamsDone, request.Error) = (0, 0, 0, null);
        var lastReport = DateTimeOffset.MinValue;
        async Task Report(bool now)
        {
            if (!now && clock.GetUtcNow() - lastReport < ReportEvery)
                return;
            lastReport = clock.GetUtcNow();
            await SaveAsync(request, cancellation);
        }

        logger.LogInformation("Rebuilding {ReadModel} ({Request}).", request.ReadModel, request.Id);
        try
        {
            var model = RebuildReadModel.Find(request.ReadModel) ?? throw new InvalidOperationException($"No read model '{request.ReadModel}'.");
            if (model.PerRunStream)
                await streams.RebuildAsync(model, request, Report, cancellation);
            else
                await daemon.RebuildAsync(model, request, Report, cancellation);
            request.State = RebuildState.Succeeded;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellation.IsCancellationRequested)
        {
            logger.LogError(e, "Rebuilding {ReadModel} ({Request}) failed.", request.ReadModel, request.Id);
            request.State = RebuildState.Failed;
            request.Error = e.Message;
        }
        request.CompletedAt = clock.GetUtcNow();
        await SaveAsync(request, cancellation);
        logger.LogInformation("Rebuild of {ReadModel} ({Request}) {State}: {Events} events, {Points} points.",
            request.ReadModel, request.Id, request.State, request.EventsDone, request.PointsDone);
    }

    private async Task SaveAsync(RebuildRequest request, CancellationToken cancellation)
    {
        request.UpdatedAt = clock.GetUtcNow();
        await using var session = store.LightweightSession();
        session.Store(request);
        await session.SaveChangesAsync(cancellation);
    }
}
