using Marten;
using Runstream.Query.Runs.Filtering;
using Runstream.Query.Security;
using Runstream.Store.Artifacts;
using Runstream.Store.Runs;

namespace Runstream.Query.Runs;

public sealed record RunEdit(string? Notes, string[]? Tags, string? Name = null);

public static class RunEndpoints
{
    public static void MapRuns(this RouteGroupBuilder api)
    {
        api.MapGet("/projects/{project}/runs", async (string project, string? filters, string? order, int? limit, string? cursor, string? columns, bool? deleted,
                RunTable table, HttpContext http, CancellationToken cancellation) =>
            {
                var page = await table.PageAsync(http.Entity(), project, filters, RunOrder.Parse(order), limit ?? 100, cursor, cancellation, deleted ?? false);
                if (ParseList(columns) is { } chosen)
                    foreach (var run in page.Runs)
                        RunTable.KeepColumns(run, chosen);
                return page;
            })
            .WithName("ListRuns")
            .WithSummary("The project's runs: filtered (MongoDB-style filters), sorted, paged by cursor, with chosen config and summary columns; deleted=true lists the deleted ones.");

        api.MapGet("/projects/{project}/runs/{runId}", async Task<IResult> (string project, string runId, IQuerySession session, HttpContext http, CancellationToken cancellation) =>
            await session.LoadAsync<RunDetails>(new RunKey(http.Entity(), project, runId).ToString(), cancellation) is { } run
                ? Results.Ok(await WithArtifactVersionsAsync(session, run, cancellation))
                : RunNotFound(project, runId))
            .WithName("GetRun")
            .WithSummary("One run, with the artifacts it logged and used (by version).");

        api.MapPatch("/projects/{project}/runs/{runId}", async Task<IResult> (string project, string runId, RunEdit edit, IDocumentStore store, HttpContext http, CancellationToken cancellation) =>
            {
                if (RunTextRules.EditProblem("body", edit.Notes, edit.Tags, edit.Name) is { } problem)
                    throw new QueryProblem(problem.Field, problem.Message);
                var key = new RunKey(http.Entity(), project, runId).ToString();
                var run = await RunEditing.ApplyAsync(store, key, edit, http.KeyId(), cancellation);
                return run is null ? RunNotFound(project, runId) : Results.Ok(run);
            })
            .WithName("EditRun")
            .WithSummary("Sets a run's name, tags and/or notes; recorded as a RunEdited event in the run's stream.");

        api.MapDelete("/projects/{project}/runs/{runId}", async Task<IResult> (string project, string runId, IDocumentStore store, HttpContext http, CancellationToken cancellation) =>
            {
                var keyId = http.KeyId();
                var run = await RunEditing.AppendAsync(store, new RunKey(http.Entity(), project, runId).ToString(),
                    run => run.DeletedAt is null ? new RunDeleted(run.State, keyId, DateTimeOffset.UtcNow) : null, cancellation);
                return run is null ? RunNotFound(project, runId) : Results.Ok(run);
            })
            .WithName("DeleteRun")
            .WithSummary("Deletes a run from its project's lists and counts (a RunDeleted event: its history stays, and restore undoes it).");

        api.MapPost("/projects/{project}/runs/{runId}/restore", async Task<IResult> (string project, string runId, IDocumentStore store, HttpContext http, CancellationToken cancellation) =>
            {
                var keyId = http.KeyId();
                var run = await RunEditing.AppendAsync(store, new RunKey(http.Entity(), project, runId).ToString(),
                    run => run.DeletedAt is null || run.MovedTo is not null ? null : new RunRestored(run.State, keyId, DateTimeOffset.UtcNow), cancellation);
                return run switch
                {
                    null => RunNotFound(project, runId),
                    { MovedTo: { } movedTo } => Results.Problem($"Run '{runId}' moved to project '{movedTo}'; it lives there now.", statusCode: StatusCodes.Status409Conflict),
                    _ => Results.Ok(run),
                };
            })
            .WithName("RestoreRun")
            .WithSummary("Brings a deleted run back (a RunRestored event).");

        api.MapPost("/projects/{project}/runs/{runId}/move", async Task<IResult> (string project, string runId, MoveRequest request, IDocumentStore store, HttpContext http, CancellationToken cancellation) =>
            {
                var target = request.Project?.Trim() ?? "";
                if (RunTextRules.NameProblem("project", target) is { } problem)
                    throw new QueryProblem("project", problem);
                if (target == project)
                    throw new QueryProblem("project", $"the run is in '{project}' already.");
                var moved = await RunMoving.MoveAsync(store, new RunKey(http.Entity(), project, runId), target, http.KeyId(), cancellation);
                return moved switch
                {
                    null => RunNotFound(project, runId),
                    { Refusal: { } refusal } => Results.Problem(refusal, statusCode: StatusCodes.Status409Conflict),
                    _ => Results.Ok(moved.Run),
                };
            })
            .WithName("MoveRun")
            .WithSummary("Moves a run that has ended to another project of the entity, {project}: its events are copied there and it leaves this project's lists and counts (a RunMoved event).");

        api.MapGet("/projects/{project}/runs/{runId}/environment", async Task<IResult> (string project, string runId, IQuerySession session, HttpContext http, CancellationToken cancellation) =>
            {
                var key = new RunKey(http.Entity(), project, runId).ToString();
                if (await session.LoadAsync<RunEnvironmentDetails>(key, cancellation) is { Environment: { } environment })
                    return Results.Ok(environment);
                return await session.LoadAsync<RunDetails>(key, cancellation) is null
                    ? RunNotFound(project, runId)
                    : Results.Problem($"Run '{runId}' recorded no environment (its SDK sent none).", statusCode: StatusCodes.Status404NotFound);
            })
            .WithName("GetRunEnvironment")
            .WithSummary("The run's code state (git commit, branch, remote, dirty tree and its diff) and environment (program, arguments, runtime, host, packages).");
    }

    public static string[]? ParseList(string? list) =>
        string.IsNullOrWhiteSpace(list) ? null : list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public static IResult RunNotFound(string project, string runId) =>
        Results.Problem($"Run '{runId}' does not exist in project '{project}'.", statusCode: StatusCodes.Status404NotFound);

    /// <summary>A run knows its artifacts by content; the version numbers live in their collections.</summary>
    private static async Task<RunDetails> WithArtifactVersionsAsync(IQuerySession session, RunDetails run, CancellationToken cancellation)
    {
        var names = run.ArtifactsLogged.Concat(run.ArtifactsUsed).Select(a => ArtifactCollection.KeyOf(run.Entity, run.Project, a.Name)).Distinct().ToArray();
        if (names.Length == 0)
            return run;
        var collections = (await session.LoadManyAsync<ArtifactCollection>(cancellation, names)).ToDictionary(c => c.Name);
        string? VersionOf(RunArtifact a) => collections.GetValueOrDefault(a.Name)?.Versions.FirstOrDefault(v => v.Digest == a.Digest)?.Version;
        run.ArtifactsLogged = [.. run.ArtifactsLogged.Select(a => a with { Version = VersionOf(a) })];
        run.ArtifactsUsed = [.. run.ArtifactsUsed.Select(a => a with { Version = a.Version ?? VersionOf(a) })];
        return run;
    }
}
