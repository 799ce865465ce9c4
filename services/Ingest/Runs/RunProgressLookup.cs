using Grpc.Core;
using Marten;
using Microsoft.Extensions.Options;
using Runstream.Contracts.Bus;
using Runstream.Contracts.V1;
using Runstream.Ingest.Frames;
using Runstream.Store.Runs;

namespace Runstream.Ingest.Runs;

/// <summary>
/// Answers a resuming client: where its run stands. The read model alone may lag the frames Ingest
/// has acknowledged (by minutes after an outage), and a client that continued from a stale last
/// sequence would have its new frames dropped as duplicates after they were acknowledged. So a
/// probe goes into the run's queue behind its frames first; once Projections answers it, every
/// frame accepted before is applied or parked, and the answer counts both.
/// </summary>
public sealed class RunProgressLookup(IDocumentStore store, FrameSender sender, IOptions<IngestOptions> options)
{
    private static readonly TimeSpan PollEvery = TimeSpan.FromMilliseconds(50);

    public async Task<RunProgress> GetAsync(string entity, RunRef run, CancellationToken cancellation)
    {
        var key = new RunKey(entity, run.Project, run.RunId).ToString();
        await WaitUntilCaughtUpAsync(entity, run, cancellation);

        await using var session = store.QuerySession();
        var details = await session.LoadAsync<RunDetails>(key, cancellation);
        var parked = await session.Query<ParkedFrame>().Where(p => p.RunKey == key).Select(p => p.Sequence).ToListAsync(cancellation);
        var lastSequence = Math.Max(details?.LastSequence ?? 0, parked.Count == 0 ? 0 : parked.Max());
        if (lastSequence == 0)
            return new RunProgress { Exists = false, LastStep = -1 };
        return new RunProgress
        {
            Exists = true,
            LastSequence = lastSequence,
            LastStep = details?.LastStep ?? -1,
            State = (details?.State ?? RunState.Running).ToString().ToLowerInvariant(),
            ConfigJson = details?.Config.ToJsonString() ?? "{}",
        };
    }

    private async Task WaitUntilCaughtUpAsync(string entity, RunRef run, CancellationToken cancellation)
    {
        var probe = Guid.NewGuid().ToString("N");
        await sender.SendAsync(new RunFrameReceived
        {
            Entity = entity,
            Project = run.Project,
            RunId = run.RunId,
            Sequence = 0,
            ReceivedAt = DateTimeOffset.UtcNow,
            ProgressProbe = probe,
        }, cancellation);

        var deadline = DateTimeOffset.UtcNow + options.Value.ProgressWait;
        while (true)
        {
            await using (var session = store.LightweightSession())
            {
                if (await session.LoadAsync<ProgressProbeAnswer>(probe, cancellation) is { } answer)
                {
                    session.Delete(answer);
                    await session.SaveChangesAsync(cancellation);
                    return;
                }
            }
            if (DateTimeOffset.UtcNow > deadline)
                throw new RpcException(new Status(StatusCode.Unavailable,
                    $"The frames of run '{run.RunId}' are still being applied after {options.Value.ProgressWait.TotalSeconds:0} s (the pipeline is behind); resume again later."));
            await Task.Delay(PollEvery, cancellation);
        }
    }
}
