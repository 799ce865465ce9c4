using Marten;
using Runstream.Store.Metrics;
using Runstream.Store.Runs;

namespace Runstream.Projections.Runs.ApplyingFrames;

/// <summary>
/// Gives a fork's start the summary its parent's history had at the fork step, and a rewind the summary the
/// run's own history had at its step, read from the metric history as committed.
/// </summary>
/// <remarks>
/// A rewind is sent by a client that resumed the run, and resuming waits until Ingest's progress probe says every
/// earlier frame of the run is applied: the history read here is the run's whole history before the rewind.
/// </remarks>
public sealed class SummariesAtStep(MetricStatisticsReader statistics)
{
    public async Task<List<object>> FillAsync(IQuerySession session, string runKey, List<object> events, CancellationToken cancellation)
    {
        for (var i = 0; i < events.Count; i++)
            events[i] = events[i] switch
            {
                RunStarted { ForkedFrom: { } fork } started => started with
                {
                    Inherited = await AtStepAsync(session, (RunKey.Parse(runKey) with { RunId = fork.RunId }).ToString(), fork.Step, cancellation),
                },
                RunRewound rewound => rewound with { Summary = await AtStepAsync(session, runKey, rewound.Step, cancellation) },
                var other => other,
            };
        return events;
    }

    private async Task<SummaryAtStep> AtStepAsync(IQuerySession session, string runKey, long step, CancellationToken cancellation)
    {
        var definitions = (await session.Query<RunDetails>().Where(run => run.Id == runKey).Select(run => new { run.MetricDefinitions })
            .ToListAsync(cancellation)).SingleOrDefault()?.MetricDefinitions ?? [];
        return SummaryAtStep.From(await statistics.ReadAsync(runKey, step, cancellation), definitions);
    }
}
