using Marten;
using Npgsql;
using Runstream.Store.Retention;
using Runstream.Store.Runs;
using Runstream.Projections.Leadership;

namespace Runstream.Projections.Retention;

/// <summary>
/// Purges soft-deleted runs: every <see cref="RetentionOptions.CheckEvery"/> those deleted longer than
/// <see cref="RetentionOptions.DeletedRunsKeptFor"/> ago, and at once those an admin asked for
/// (<see cref="PurgeRequest"/>). Only the instance holding the <see cref="AdvisoryLock"/> purges; a
/// run is purged in a transaction of its own, so a failure leaves the others done and it due.
/// </summary>
public sealed class RetentionService(IDocumentStore store, NpgsqlDataSource database, RunPurger purger, RetentionOptions options,
    TimeProvider clock, ILogger<RetentionService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stopping)
    {
        var timed = options.CheckEvery > TimeSpan.Zero;
        var nextCheck = clock.GetUtcNow() + options.CheckEvery;
        var tick = timed && options.CheckEvery < options.RequestsEvery ? options.CheckEvery : options.RequestsEvery;
        using var timer = new PeriodicTimer(tick, clock);
        while (await timer.WaitForNextTickAsync(stopping))
        {
            try
            {
                var due = timed && clock.GetUtcNow() >= nextCheck;
                if (!due && !await AnyRequestAsync(stopping))
                    continue;
                await using var held = await AdvisoryLock.TryTakeAsync(database, AdvisoryLock.Retention, stopping);
                if (held is null)
                    continue;
                await AnswerRequestsAsync(stopping);
                if (due)
                {
                    await PurgeDueAsync(stopping);
                    nextCheck = clock.GetUtcNow() + options.CheckEvery;
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Purging deleted runs failed; trying again at the next tick.");
            }
        }
    }

    private async Task<bool> AnyRequestAsync(CancellationToken cancellation)
    {
        await using var session = store.QuerySession();
        return await session.Query<PurgeRequest>().AnyAsync(r => r.CompletedAt == null, cancellation);
    }

    /// <summary>Runs deleted longer ago than the period, oldest first.</summary>
    public async Task PurgeDueAsync(CancellationToken cancellation)
    {
        var cutoff = clock.GetUtcNow() - options.DeletedRunsKeptFor;
        List<RunDetails> due;
        await using (var session = store.QuerySession())
            due = [.. await session.Query<RunDetails>().Where(r => r.DeletedAt != null && r.DeletedAt <= cutoff).OrderBy(r => r.DeletedAt).Take(1000).ToListAsync(cancellation)];
        foreach (var run in due.Where(r => RetentionOptions.IsDue(r.DeletedAt, clock.GetUtcNow(), options.DeletedRunsKeptFor)))
            await purger.PurgeAsync(run.Id, "retention", cancellation);
    }

    private async Task AnswerRequestsAsync(CancellationToken cancellation)
    {
        List<PurgeRequest> requests;
        await using (var query = store.QuerySession())
            requests = [.. await query.Query<PurgeRequest>().Where(r => r.CompletedAt == null).OrderBy(r => r.RequestedAt).ToListAsync(cancellation)];
        foreach (var request in requests)
        {
            string[] runKeys;
            if (request.RunId is { } only)
                runKeys = [new RunKey(request.Entity, request.Project, only).ToString()];
            else
                await using (var query = store.QuerySession())
                    runKeys = [.. await query.Query<RunDetails>()
                        .Where(r => r.Entity == request.Entity && r.Project == request.Project && r.DeletedAt != null)
                        .Select(r => r.Id).ToListAsync(cancellation)];
            foreach (var runKey in runKeys)
            {
                var runId = RunKey.Parse(runKey).RunId;
                if (await purger.PurgeAsync(runKey, "admin", cancellation) is { } counts)
                    request.Removed += counts;
                else
                    request.Skipped.Add(runId);
            }
            request.CompletedAt = clock.GetUtcNow();
            // The request names what it removed; once done it keeps only hashes of those names.
            request.Project = PurgedRun.HashOf(RunKey.ProjectKeyOf(request.Entity, request.Project));
            request.RunId = request.RunId is null ? null : PurgedRun.HashOf(runKeys[0]);
            await using var session = store.LightweightSession();
            session.Store(request);
            await session.SaveChangesAsync(cancellation);
        }
    }
}
