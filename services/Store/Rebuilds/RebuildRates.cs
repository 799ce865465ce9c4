namespace Runstream.Store.Rebuilds;

/// <summary>A rebuild's progress as rates: what GET /admin/v1/rebuilds/{id} and the CLI show.</summary>
public sealed record RebuildRates(double Percent, double EventsPerSecond, double PointsPerSecond, double? EtaSeconds, double ElapsedSeconds)
{
    /// <summary>
    /// Rates over the time since the rebuild started (until it completed), the ETA from the events left at the
    /// events rate. No ETA before a first rate; done past the total (events appended meanwhile) reads as 100 %.
    /// </summary>
    public static RebuildRates Of(RebuildRequest request, DateTimeOffset now)
    {
        if (request.StartedAt is not { } started)
            return new RebuildRates(0, 0, 0, null, 0);
        var end = request.CompletedAt ?? request.UpdatedAt ?? now;
        var elapsed = Math.Max(0, (end - started).TotalSeconds);
        var eventsPerSecond = elapsed > 0 ? request.EventsDone / elapsed : 0;
        var pointsPerSecond = elapsed > 0 ? request.PointsDone / elapsed : 0;
        var left = Math.Max(0, request.EventsTotal - request.EventsDone);
        var percent = request.State == RebuildState.Succeeded ? 100
            : request.EventsTotal <= 0 ? 0 : Math.Min(100, 100.0 * request.EventsDone / request.EventsTotal);
        double? eta = request.State switch
        {
            RebuildState.Succeeded or RebuildState.Failed => 0,
            _ when left == 0 && request.EventsTotal > 0 => 0,
            _ when eventsPerSecond > 0 => left / eventsPerSecond,
            _ => null,
        };
        return new RebuildRates(Math.Round(percent, 1), Math.Round(eventsPerSecond, 1), Math.Round(pointsPerSecond, 1), eta is { } s ? Math.Round(s, 1) : null, Math.Round(elapsed, 1));
    }
}
