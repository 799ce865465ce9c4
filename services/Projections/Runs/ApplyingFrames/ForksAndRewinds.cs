using Marten;
using Runstream.Store.Metrics;
using Runstream.Store.Runs;

namespace Runstream.Projections.Runs.ApplyingFrames;

/// <summary>
/// Completes forks and rewinds from the store as committed. A fork's start is checked against its parent (which must
/// exist and have reached the step; else the start is recorded as rejected), pinned to the parent's project and last
/// frame, and given the summary the parent's history had at the step; a rewind gets the summary the run's own history
/// had at its step. The consumer applies a rewind first in its transaction, so that history is everything before it.
/// </summary>
public sealed class ForksAndRewinds(MetricStatisticsReader statistics)
{
    public async Task<List<object>> ResolveAsync(IQuerySession session, string runKey, List<object> events, CancellationToken cancellation)
    {
        for (var i = 0; i < events.Count; i++)
            events[i] = events[i] switch
            {
                RunStarted { ForkedFrom: { } fork } started => await ForkAsync(session, RunKey.Parse(runKey), started, fork, cancellation),
                RunRewound rewound => rewound with
                {
                    Summary = await SummaryAtAsync(runKey, rewound.Step, await DefinitionsAsync(session, runKey, cancellation), cancellation),
                },
                var other => other,
            };
        return events;
    }

    private async Task<object> ForkAsync(IQuerySession session, RunKey run, RunStarted started, ForkPoint fork, CancellationToken cancellation)
    {
        var parentKey = (run with { RunId = fork.RunId }).ToString();
        var parent = (await session.Query<RunDetails>().Where(r => r.Id == parentKey)
            .Select(r => new { r.LastStep, r.LastSequence, r.MetricDefinitions }).ToListAsync(cancellation)).SingleOrDefault();
        if (parent is null)
            return new FrameRejected(started.Sequence, $"started.fork_from.run_id: run '{fork.RunId}' does not exist in project '{run.Project}'.");
        if (parent.LastStep is null || parent.LastStep < fork.Step)
            return new FrameRejected(started.Sequence, $"started.fork_from.step: run '{fork.RunId}' has logged "
                + $"{(parent.LastStep is { } last ? $"up to step {last}" : "no step")}; step {fork.Step} is past its history.");
        return started with
        {
            ForkedFrom = fork with { Project = run.Project, ParentSequence = parent.LastSequence },
            Inherited = await SummaryAtAsync(parentKey, fork.Step, parent.MetricDefinitions, cancellation),
        };
    }

    private async Task<SummaryAtStep> SummaryAtAsync(string runKey, long step, Dictionary<string, MetricDefinition> definitions, CancellationToken cancellation) =>
        SummaryAtStep.From(await statistics.ReadAsync(runKey, step, cancellation), definitions);

    private static async Task<Dictionary<string, MetricDefinition>> DefinitionsAsync(IQuerySession session, string runKey, CancellationToken cancellation) =>
        (await session.Query<RunDetails>().Where(r => r.Id == runKey).Select(r => new { r.MetricDefinitions }).ToListAsync(cancellation))
            .SingleOrDefault()?.MetricDefinitions ?? [];
}
