using Marten;
using Runstream.Query.Runs.Filtering;
using Runstream.Query.Security;
using Runstream.Store.Projects;
using Runstream.Store.Runs;
using Runstream.Store.Views;

namespace Runstream.Query.Views;

/// <summary>
/// Saved workspace views, kept as events in each view's own stream (saved, saved again, deleted):
/// the list is the projection of those streams, so a view's history is in the log like a run's.
/// </summary>
public static class SavedViewEndpoints
{
    public static void MapSavedViews(this RouteGroupBuilder api)
    {
        api.MapGet("/projects/{project}/views", async (string project, IQuerySession session, HttpContext http, CancellationToken cancellation) =>
            {
                var projectKey = RunKey.ProjectKeyOf(http.Entity(), project);
                return await session.Query<SavedView>().Where(v => v.ProjectKey == projectKey).OrderBy(v => v.Name).ToListAsync(cancellation);
            })
            .WithName("ListViews")
            .WithSummary("The project's saved workspace views, by name.");

        api.MapGet("/projects/{project}/views/{viewId}", async Task<IResult> (string project, string viewId, IQuerySession session, HttpContext http, CancellationToken cancellation) =>
            await session.LoadAsync<SavedView>(SavedView.StreamKeyOf(http.Entity(), project, viewId), cancellation) is { } view
                ? Results.Ok(view)
                : ViewNotFound(project, viewId))
            .WithName("GetView");

        api.MapPost("/projects/{project}/views", async Task<IResult> (string project, ViewRequest request, IDocumentStore store, HttpContext http, CancellationToken cancellation) =>
            {
                var (name, state) = Validate(request);
                await using var session = store.LightweightSession();
                if (await session.LoadAsync<ProjectOverview>(RunKey.ProjectKeyOf(http.Entity(), project), cancellation) is null)
                    return Results.Problem($"Project '{project}' does not exist.", statusCode: StatusCodes.Status404NotFound);
                var viewId = Guid.NewGuid().ToString("N")[..12];
                var key = SavedView.StreamKeyOf(http.Entity(), project, viewId);
                session.Events.StartStream(key, new ViewSaved(http.Entity(), project, viewId, name, state, http.KeyId(), DateTimeOffset.UtcNow));
                await session.SaveChangesAsync(cancellation);
                return Results.Created($"/api/v1/projects/{project}/views/{viewId}", await session.LoadAsync<SavedView>(key, cancellation));
            })
            .WithName("SaveView")
            .WithSummary("Saves a new view: {name, state}, where state is the workspace link's query string.");

        api.MapPut("/projects/{project}/views/{viewId}", async Task<IResult> (string project, string viewId, ViewRequest request, IDocumentStore store, HttpContext http, CancellationToken cancellation) =>
            {
                var (name, state) = Validate(request);
                await using var session = store.LightweightSession();
                var key = SavedView.StreamKeyOf(http.Entity(), project, viewId);
                if (await session.LoadAsync<SavedView>(key, cancellation) is null)
                    return ViewNotFound(project, viewId);
                session.Events.Append(key, new ViewSaved(http.Entity(), project, viewId, name, state, http.KeyId(), DateTimeOffset.UtcNow));
                await session.SaveChangesAsync(cancellation);
                return Results.Ok(await session.LoadAsync<SavedView>(key, cancellation));
            })
            .WithName("UpdateView")
            .WithSummary("Saves a view again (a new name and/or state); its earlier versions stay in its stream.");

        api.MapDelete("/projects/{project}/views/{viewId}", async Task<IResult> (string project, string viewId, IDocumentStore store, HttpContext http, CancellationToken cancellation) =>
            {
                await using var session = store.LightweightSession();
                var key = SavedView.StreamKeyOf(http.Entity(), project, viewId);
                if (await session.LoadAsync<SavedView>(key, cancellation) is null)
                    return ViewNotFound(project, viewId);
                session.Events.Append(key, new ViewDeleted(http.KeyId(), DateTimeOffset.UtcNow));
                await session.SaveChangesAsync(cancellation);
                return Results.NoContent();
            })
            .WithName("DeleteView");
    }

    private static (string Name, string State) Validate(ViewRequest request)
    {
        var name = request.Name?.Trim() ?? "";
        if (name.Length == 0)
            throw new QueryProblem("name", "name is empty; a view needs a name.");
        if (name.Length > SavedView.MaxNameLength)
            throw new QueryProblem("name", $"name is {name.Length} characters long; the limit is {SavedView.MaxNameLength}.");
        if (RunTextRules.KeyProblem("name", name) is { } nameProblem)
            throw new QueryProblem("name", nameProblem);
        var state = request.State ?? "";
        if (state.Length > SavedView.MaxStateLength)
            throw new QueryProblem("state", $"state is {state.Length} characters long; the limit is {SavedView.MaxStateLength}.");
        if (RunTextRules.TextProblem("state", state) is { } stateProblem)
            throw new QueryProblem("state", stateProblem);
        return (name, state);
    }

    private static IResult ViewNotFound(string project, string viewId) =>
        Results.Problem($"View '{viewId}' does not exist in project '{project}'.", statusCode: StatusCodes.Status404NotFound);
}
