using Runstream.Query.Security;
using Marten;
using Runstream.Store.Runs;

namespace Runstream.Query.Runs;

public static class RunEndpoints
{
    public static void MapRuns(this RouteGroupBuilder api)
    {
        api.MapGet("/projects/{project}/runs", async (string project, IQuerySession session, HttpContext http, CancellationToken cancellation) =>
            {
                // The entity is read outside the query: Marten translates the lambda, not the HTTP context.
                var entity = http.Entity();
                return await session.Query<RunDetails>()
                    .Where(run => run.Entity == entity && run.Project == project)
                    .OrderByDescending(run => run.CreatedAt)
                    .ToListAsync(cancellation);
            })
            .WithName("ListRuns")
            .WithSummary("The project's runs, newest first, with config, summary, tags, notes and state.");

        api.MapGet("/projects/{project}/runs/{runId}", async Task<IResult> (string project, string runId, IQuerySession session, HttpContext http, CancellationToken cancellation) =>
            await session.LoadAsync<RunDetails>(new RunKey(http.Entity(), project, runId).ToString(), cancellation) is { } run
                ? Results.Ok(run)
                : Results.Problem($"Run '{runId}' does not exist in project '{project}'.", statusCode: 404))
            .WithName("GetRun");
    }
}
