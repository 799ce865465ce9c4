using JasperFx.Events;
using Marten.Events.Projections;
using Runstream.Store.Runs;

namespace Runstream.Store.Projects;

/// <summary>What the projects list shows: runs by state, and which metric and config keys exist.</summary>
public sealed class ProjectOverview
{
    /// <summary><c>entity/project</c>.</summary>
    public string Id { get; set; } = "";
    public string Entity { get; set; } = "";
    public string Name { get; set; } = "";
    public int RunCount { get; set; }
    public Dictionary<RunState, int> RunsByState { get; set; } = [];
    public SortedSet<string> MetricKeys { get; set; } = new(StringComparer.Ordinal);
    public SortedSet<string> ConfigKeys { get; set; } = new(StringComparer.Ordinal);
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset LastActivityAt { get; set; }
    /// <summary>Runs deleted (and not restored): their later state changes count nowhere.</summary>
    public HashSet<string> DeletedRuns { get; set; } = [];
}

/// <summary>Async: one document gathers the events of all of a project's runs.</summary>
public sealed partial class ProjectOverviewProjection : MultiStreamProjection<ProjectOverview, string>
{
    public ProjectOverviewProjection()
    {
        Identity<IEvent>(e => RunKey.Parse(e.StreamKey!).ProjectKey);
        // Only run events: Marten's own (tombstones of rolled-back appends) live in other streams.
        IncludeType<RunStarted>();
        IncludeType<RunConfigUpdated>();
        IncludeType<MetricsLogged>();
        IncludeType<RunFinished>();
        IncludeType<RunCrashed>();
        IncludeType<RunRevived>();
        IncludeType<RunResumed>();
        IncludeType<RunRewound>();
        IncludeType<RunDeleted>();
        IncludeType<RunRestored>();
        IncludeType<RunMoved>();
    }

    public override ProjectOverview? Evolve(ProjectOverview? project, string id, IEvent e)
    {
        if (project is null)
        {
            var run = RunKey.Parse(e.StreamKey!);
            project = new ProjectOverview { Id = id, Entity = run.Entity, Name = run.Project, CreatedAt = e.Timestamp };
        }

        var runId = RunKey.Parse(e.StreamKey!).RunId;
        var counted = !project.DeletedRuns.Contains(runId);
        switch (e.Data)
        {
            case RunStarted started:
                project.RunCount++;
                Count(project, RunState.Running, +1);
                project.ConfigKeys.UnionWith(ConfigMerge.LeafPaths(started.Config));
                break;
            case RunConfigUpdated updated:
                project.ConfigKeys.UnionWith(ConfigMerge.LeafPaths(updated.Changes));
                break;
            case MetricsLogged logged:
                project.MetricKeys.UnionWith(logged.Decode().Keys);
                break;
            case RunResumed resumed when counted:
                Count(project, resumed.PreviousState, -1);
                Count(project, RunState.Running, +1);
                break;
            case RunRewound rewound when counted:
                Count(project, rewound.PreviousState, -1);
                Count(project, RunState.Running, +1);
                break;
            case RunCrashed when counted:
                Count(project, RunState.Running, -1);
                Count(project, RunState.Crashed, +1);
                break;
            case RunRevived when counted:
                Count(project, RunState.Crashed, -1);
                Count(project, RunState.Running, +1);
                break;
            case RunDeleted deleted when project.DeletedRuns.Add(runId):
                project.RunCount--;
                Count(project, deleted.State, -1);
                break;
            case RunMoved moved when project.DeletedRuns.Add(runId):
                project.RunCount--;
                Count(project, moved.State, -1);
                break;
            case RunRestored restored when project.DeletedRuns.Remove(runId):
                project.RunCount++;
                Count(project, restored.State, +1);
                break;
            case RunFinished finished when counted:
                Count(project, RunState.Running, -1);
                Count(project, finished.ExitCode == 0 ? RunState.Finished : RunState.Failed, +1);
                break;
        }
        project.LastActivityAt = e.Timestamp;
        return project;
    }

    private static void Count(ProjectOverview project, RunState state, int delta) =>
        project.RunsByState[state] = project.RunsByState.GetValueOrDefault(state) + delta;
}
