using Marten;
using Runstream.Contracts.V1;
using Runstream.Store.Runs;

namespace Runstream.Ingest.Runs;

/// <summary>
/// Answers a resuming client: where its run stands in the read model. Frames acknowledged but not
/// applied yet are not counted, so a client resuming on another machine right after a crash should
/// expect its last frames to land a moment later; the SDK takes the larger of this and its own spool.
/// </summary>
public sealed class RunProgressLookup(IQuerySession session)
{
    public async Task<RunProgress> GetAsync(string entity, RunRef run, CancellationToken cancellation)
    {
        var key = new RunKey(entity, run.Project, run.RunId).ToString();
        var details = await session.LoadAsync<RunDetails>(key, cancellation);
        if (details is null)
            return new RunProgress { Exists = false, LastStep = -1 };
        return new RunProgress
        {
            Exists = true,
            LastSequence = details.LastSequence,
            LastStep = details.LastStep ?? -1,
            State = details.State.ToString().ToLowerInvariant(),
            ConfigJson = details.Config.ToJsonString(),
        };
    }
}
