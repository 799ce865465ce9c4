using Runstream.Query.Security;
using Marten;
using Runstream.Store.Projects;
using Runstream.Store.Runs;

namespace Runstream.Query.Projects;

public static class ProjectEndpoints
{
    public static void MapProjects(this RouteGroupBuilder api)
    {
        api.MapGet("/projects", async (IQuerySession session, HttpContext http, CancellationToken cancellation) =>
            {
                // The entity is read outside the query: Marten translates the lambda, not the HTTP context.
                var entity = http.Entity();
                return await session.Query<ProjectOverview>()
                    .Where(p => p.Entity == entity)
                    .OrderByDescending(p => p.LastActivityAt)
                    .ToListAsync(cancellation);
            })
            .WithName("ListProjects")
            .WithSummary("The entity's projects with run counts by state and the metric and config keys seen.");

        api.MapGet("/projects/{project}", async Task<IResult> (string project, IQuerySession session, HttpContext http, CancellationToken cancellation) =>
            await session.LoadAsync<ProjectOverview>(RunKey.ProjectKeyOf(http.Entity(), project), cancellation) is { } overview
                ? Results.Ok(overview)
                : Results.Problem($"Project '{project}' does not exist (or has no processed runs yet).", statusCode: 404))
            .WithName("GetProject");
    }
}
