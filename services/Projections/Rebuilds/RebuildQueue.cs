using Runstream.Store.Rebuilds;

namespace Runstream.Projections.Rebuilds;

/// <summary>Which waiting rebuild an instance of Projections takes next.</summary>
public static class RebuildQueue
{
    /// <summary>
    /// The oldest request this instance can carry out. A per-run rebuild runs anywhere. A daemon rebuild runs only
    /// where the projection's shard runs (<paramref name="runsShard"/>, given the daemon's projection name): Marten's
    /// rebuild stops and restarts the shard in its own process, so on another instance the shard's owner would go
    /// on applying events beside the rebuilt shard, the two would fight over the projection's progress, and the
    /// owner's shard would stop. A request for an unknown read model is taken, to be recorded as failed.
    /// </summary>
    public static RebuildRequest? NextFor(IEnumerable<RebuildRequest> waitingOldestFirst, Func<string, bool> runsShard) =>
        waitingOldestFirst.FirstOrDefault(request => RebuildReadModel.Find(request.ReadModel) is not { DaemonProjection: { } projection }
            || runsShard(projection));
}
