using Runstream.Store.Live;
using Marten;
using MassTransit;
using Runstream.Contracts.Bus;
using Runstream.Store.Runs;

namespace Runstream.Projections.Runs.DetectingCrashes;

/// <summary>Notes when a run was last heard from, and revives a run marked crashed that speaks again.</summary>
public sealed class RunHeartbeatConsumer(IDocumentStore store) : IConsumer<RunHeartbeatReceived>
{
    public async Task Consume(ConsumeContext<RunHeartbeatReceived> context)
    {
        var heartbeat = context.Message;
        var streamKey = new RunKey(heartbeat.Entity, heartbeat.Project, heartbeat.RunId).ToString();

        await using var session = store.LightweightSession();
        var run = await session.LoadAsync<RunDetails>(streamKey, context.CancellationToken);
        session.Store(new RunLiveness { Id = streamKey, LastSeenAt = heartbeat.ReceivedAt });
        if (run?.State == RunState.Crashed)
        {
            var stream = await session.Events.FetchForWriting<RunDetails>(streamKey, context.CancellationToken);
            if (stream.Aggregate?.State == RunState.Crashed)
            {
                stream.AppendOne(new RunRevived(heartbeat.ReceivedAt));
                RunChanges.Notify(session, streamKey);
            }
        }
        await session.SaveChangesAsync(context.CancellationToken);
    }
}
