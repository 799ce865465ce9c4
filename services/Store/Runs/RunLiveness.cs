namespace Runstream.Store.Runs;

/// <summary>When a run was last heard from by heartbeat; kept apart from its events, which heartbeats would flood.</summary>
public sealed class RunLiveness
{
    /// <summary>The run's stream key.</summary>
    public string Id { get; set; } = "";
    public DateTimeOffset LastSeenAt { get; set; }
}
