using Runstream.Store.Rebuilds;

namespace Runstream.Query.Rebuilds;

/// <summary>A rebuild's state and progress: events done of the total, rates, ETA in seconds (null until there is a rate).</summary>
public sealed record RebuildAnswer(string Id, string ReadModel, string State, DateTimeOffset RequestedAt, DateTimeOffset? StartedAt,
    DateTimeOffset? CompletedAt, long EventsDone, long EventsTotal, long StreamsDone, long StreamsTotal, long PointsDone,
    double Percent, double EventsPerSecond, double? PointsPerSecond, double? EtaSeconds, double ElapsedSeconds, string? Error)
{
    public static RebuildAnswer Of(RebuildRequest request, DateTimeOffset now)
    {
        var rates = RebuildRates.Of(request, now);
        var points = RebuildReadModel.Find(request.ReadModel)?.CountsPoints == true;
        return new RebuildAnswer(request.Id, request.ReadModel, request.State.ToString().ToLowerInvariant(), request.RequestedAt, request.StartedAt,
            request.CompletedAt, request.EventsDone, request.EventsTotal, request.StreamsDone, request.StreamsTotal, request.PointsDone,
            rates.Percent, rates.EventsPerSecond, points ? rates.PointsPerSecond : null, rates.EtaSeconds, rates.ElapsedSeconds, request.Error);
    }
}
