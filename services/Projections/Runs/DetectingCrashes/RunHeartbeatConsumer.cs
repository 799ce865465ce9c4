using Marten;
using MassTransit;
using Runstream.Contracts.Bus;
using Runstream.Projections.Bus;
using Runstream.Store.Live;
using Runstream.Store.Runs;

namespace Runstream.Projections.Runs.DetectingCrashes;

/// <summary>
/// Notes when runs were last heard from, the latest heartbeat per run of a batch, and revives a run
/// marked crashed that speaks again. Stored until the database takes it, like frames: a heartbeat
/// lost in an outage could make a live run look crashed.
/// </summary>
public sealed class RunHeartbeatConsumer(IDocumentStore store, StorageRetry retry, PipelineHealth health, FrameConsumerOptions options)
    : IConsumer<Batch<RunHeartbeatReceived>>
{
    public async Task Consume(ConsumeContext<Batch<RunHeartbeatReceived>> context)
    {
        var heartbeats = context.Message.Select(m => m.Message).ToList();
        var latest = heartbeats
            .GroupBy(h => new RunKey(h.Entity, h.Project, h.RunId).ToString())
            .ToDictionary(run => run.Key, run => run.Max(h => h.ReceivedAt));
        await retry.UntilStoredAsync("heartbeats", heartbeats.Count, () => StoreAsync(latest, context.CancellationToken), context.CancellationToken);
        health.Stored("heartbeats", heartbeats.Min(h => h.ReceivedAt), options.CaughtUpTolerance);
    }

    private async Task StoreAsync(Dictionary<string, DateTimeOffset> latest, CancellationToken cancellation)
    {
        await using var session = store.LightweightSession();
        var keys = latest.Keys.ToArray();
        var known = (await session.LoadManyAsync<RunLiveness>(cancellation, keys)).ToDictionary(l => l.Id, l => l.LastSeenAt);
        foreach (var (runKey, seenAt) in latest)
            session.Store(new RunLiveness { Id = runKey, LastSeenAt = known.TryGetValue(runKey, out var before) && before > seenAt ? before : seenAt });

        var revived = new List<string>();
        foreach (var run in await session.LoadManyAsync<RunDetails>(cancellation, keys))
        {
            if (run.State != RunState.Crashed)
                continue;
            RunStreams.Append(session, run.Id, run.StreamVersion, [new RunRevived(latest[run.Id])]);
            revived.Add(run.Id);
        }
        RunChanges.Notify(session, revived);
        await session.SaveChangesAsync(cancellation);
    }
}
