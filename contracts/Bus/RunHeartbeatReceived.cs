namespace Runstream.Contracts.Bus;

/// <summary>A run said it is alive. Not part of the run's sequence: losing one only delays nothing.</summary>
public sealed record RunHeartbeatReceived
{
    public required string Entity { get; init; }
    public required string Project { get; init; }
    public required string RunId { get; init; }
    public required DateTimeOffset ReceivedAt { get; init; }
}
