using Marten;
using Runstream.Query.Runs;
using Runstream.Query.Security;
using Runstream.Store.Runs;

namespace Runstream.Query.Projects;

public sealed record ProjectDeleted(string Project, string[] Deleted, int AlreadyDeleted);

public static class ProjectDeletion
{
    public static void MapProjectDeletion(this RouteGroupBuilder api)
    {
        api.MapDelete("/projects/{project}", async Task<IResult> (string project, IDocumentStore store, HttpContext http, CancellationToken cancellation) =>
            {
                var entity = http.Entity();
                var keyId = http.KeyId();
                List<string> runKeys;
                await using (var session = store.QuerySession())
                    runKeys = [.. await session.Query<RunDetails>().Where(r => r.Entity == entity && r.Project == project).Select(r => r.Id).ToListAsync(cancellation)];
                if (runKeys.Count == 0)
                    return Results.Problem($"Project '{project}' does not exist (or has no runs).", statusCode: StatusCodes.Status404NotFound);

                // Each run as DELETE .../runs/{id} deletes it: a RunDeleted event of its own, so each can be restored
                // on its own and each is purged when its own period is over.
                var deleted = new List<string>();
                var alreadyDeleted = 0;
                foreach (var runKey in runKeys)
                {
                    var wasLive = false;
                    await RunEditing.AppendAsync(store, runKey, run =>
                    {
                        wasLive = run.DeletedAt is null;
                        return wasLive ? new RunDeleted(run.State, keyId, DateTimeOffset.UtcNow) : null;
                    }, cancellation);
                    if (wasLive)
                        deleted.Add(RunKey.Parse(runKey).RunId);
                    else
                        alreadyDeleted++;
                }
                return Results.Ok(new ProjectDeleted(project, [.. deleted], alreadyDeleted));
            })
            .WithName("DeleteProject")
            .WithSummary("Deletes every run of the project (a RunDeleted event each, as DELETE .../runs/{id}); each can be restored until the retention period purges it.");
    }
}
