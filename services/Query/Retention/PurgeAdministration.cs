using Marten;
using Runstream.Store.Retention;
using Runstream.Store.Runs;

namespace Runstream.Query.Retention;

/// <summary>A purge's outcome: what was removed (<c>removed.runs</c> runs purged), and the runs left alone (restored meanwhile, or their projections were behind).</summary>
public sealed record PurgeAnswer(string Id, bool Completed, string[] Skipped, PurgeCounts Removed);

/// <summary>
/// Purging soft-deleted runs now, for a data-removal request, for the holder of the admin key (the admin
/// group's filter, <see cref="Security.ApiKeyAdministration"/>). Query records the request and Projections,
/// where the retention purge runs under its lock, carries it out; the answer waits for it a while.
/// </summary>
public static class PurgeAdministration
{
    /// <summary>How long POST /purge waits for the outcome before answering 202 with where to look.</summary>
    private static readonly TimeSpan AnswerWait = TimeSpan.FromSeconds(60);

    public static void MapPurgeAdministration(this RouteGroupBuilder admin)
    {
        admin.MapPost("/purge", async Task<IResult> (PurgeCommand command, IDocumentStore store, TimeProvider clock, HttpContext http, CancellationToken cancellation) =>
        {
            if (string.IsNullOrWhiteSpace(command.Entity) || string.IsNullOrWhiteSpace(command.Project))
                return Results.Problem("entity and project are required (runId is optional: without it every deleted run of the project).", statusCode: StatusCodes.Status400BadRequest);
            await using (var session = store.QuerySession())
            {
                if (command.RunId is { } runId)
                {
                    var run = await session.LoadAsync<RunDetails>(new RunKey(command.Entity, command.Project, runId).ToString(), cancellation);
                    if (run is null)
                        return Results.Problem($"Run '{runId}' does not exist in project '{command.Project}' of '{command.Entity}' (or was purged already).", statusCode: StatusCodes.Status404NotFound);
                    if (run.DeletedAt is null)
                        return Results.Problem($"Run '{runId}' is not deleted: delete it first (DELETE .../runs/{runId}), then purge.", statusCode: StatusCodes.Status409Conflict);
                }
                else if (!await session.Query<RunDetails>().AnyAsync(r => r.Entity == command.Entity && r.Project == command.Project && r.DeletedAt != null, cancellation))
                    return Results.Problem($"Project '{command.Project}' of '{command.Entity}' has no deleted runs: delete them first (DELETE .../projects/{command.Project}).", statusCode: StatusCodes.Status409Conflict);
            }

            var request = new PurgeRequest { Id = Guid.NewGuid().ToString("N"), Entity = command.Entity, Project = command.Project, RunId = command.RunId, RequestedAt = clock.GetUtcNow() };
            await using (var session = store.LightweightSession())
            {
                session.Store(request);
                await session.SaveChangesAsync(cancellation);
            }
            var until = clock.GetUtcNow() + AnswerWait;
            while (clock.GetUtcNow() < until)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(250), clock, cancellation);
                if (await LoadAsync(store, request.Id, cancellation) is { CompletedAt: not null } done)
                    return Results.Ok(Answer(done));
            }
            return Results.Accepted($"/admin/v1/purge/{request.Id}", Answer(request));
        }).WithName("Purge").WithSummary("Purges soft-deleted runs now (one, or every deleted run of a project): events, read models and files only they referenced; answers what was removed.");

        admin.MapGet("/purge/{id}", async Task<IResult> (string id, IDocumentStore store, CancellationToken cancellation) =>
            await LoadAsync(store, id, cancellation) is { } request
                ? Results.Ok(Answer(request))
                : Results.Problem($"No purge request '{id}'.", statusCode: StatusCodes.Status404NotFound))
            .WithName("GetPurge").WithSummary("A purge request's outcome.");
    }

    private static async Task<PurgeRequest?> LoadAsync(IDocumentStore store, string id, CancellationToken cancellation)
    {
        await using var session = store.QuerySession();
        return await session.LoadAsync<PurgeRequest>(id, cancellation);
    }

    private static PurgeAnswer Answer(PurgeRequest request) =>
        new(request.Id, request.CompletedAt is not null, [.. request.Skipped], request.Removed);
}
