using Marten;
using Microsoft.Extensions.Options;
using Runstream.Store.Projects;
using Runstream.Store.Runs;

namespace Runstream.Query.Projects;

public static class ProjectEndpoints
{
    public static void MapProjects(this RouteGroupBuilder api)
    {
        api.MapGet("/projects", async (IQuerySession session, IOptions<QueryOptions> options, CancellationToken cancellation) =>
            await session.Query<ProjectOverview>()
                .Where(p => p.Entity == options.Value.Entity)
                .OrderByDescending(p => p.LastActivityAt)
                .ToListAsync(cancellation))
            .WithName("ListProjects")
            .WithSummary("The entity's projects with run counts by state and the metric and config keys seen.");

        api.MapGet("/projects/{project}", async Task<IResult> (string project, IQuerySession session, IOptions<QueryOptions> options, CancellationToken cancellation) =>
            await session.LoadAsync<ProjectOverview>(RunKey.ProjectKeyOf(options.Value.Entity, project), cancellation) is { } overview
                ? Results.Ok(overview)
                : Results.Problem($"Project '{project}' does not exist (or has no processed runs yet).", statusCode: 404))
            .WithName("GetProject");
    }
}
