using Marten;
using Runstream.Store.Rebuilds;

namespace Runstream.Query.Rebuilds;

/// <summary>
/// Rebuilding a read model from the event store, online, for the holder of the admin key (the admin group's
/// filter, <see cref="Security.ApiKeyAdministration"/>). Query only records the request: Projections owns the
/// writes to the read models (and runs the async daemon), so its instance holding the rebuild lock carries it out,
/// one rebuild at a time, and writes its progress to the request, which GET reads back.
/// </summary>
public static class RebuildAdministration
{
    public static void MapRebuildAdministration(this RouteGroupBuilder admin)
    {
        admin.MapPost("/rebuilds", async Task<IResult> (RebuildCommand command, IDocumentStore store, TimeProvider clock, CancellationToken cancellation) =>
        {
            if (RebuildReadModel.Find(command.ReadModel) is not { } model)
                return Results.Problem($"readModel: one of {string.Join(", ", RebuildReadModel.All.Select(m => m.Name))}.", statusCode: StatusCodes.Status400BadRequest);
            // Asking again while the same rebuild waits or runs answers that one: a second would only redo the work.
            await using (var query = store.QuerySession())
                if (await query.Query<RebuildRequest>()
                        .Where(r => r.ReadModel == model.Name && (r.State == RebuildState.Queued || r.State == RebuildState.Running))
                        .FirstOrDefaultAsync(cancellation) is { } pending)
                    return Results.Accepted($"/admin/v1/rebuilds/{pending.Id}", RebuildAnswer.Of(pending, clock.GetUtcNow()));

            var request = new RebuildRequest { Id = Guid.NewGuid().ToString("N"), ReadModel = model.Name, State = RebuildState.Queued, RequestedAt = clock.GetUtcNow() };
            await using var session = store.LightweightSession();
            session.Store(request);
            await session.SaveChangesAsync(cancellation);
            return Results.Accepted($"/admin/v1/rebuilds/{request.Id}", RebuildAnswer.Of(request, clock.GetUtcNow()));
        }).WithName("StartRebuild").WithSummary("Starts rebuilding a read model from the event store while ingest goes on; GET the location for progress.");

        admin.MapGet("/rebuilds/{id}", async Task<IResult> (string id, IDocumentStore store, TimeProvider clock, CancellationToken cancellation) =>
        {
            await using var session = store.QuerySession();
            return await session.LoadAsync<RebuildRequest>(id, cancellation) is { } request
                ? Results.Ok(RebuildAnswer.Of(request, clock.GetUtcNow()))
                : Results.Problem($"No rebuild '{id}'.", statusCode: StatusCodes.Status404NotFound);
        }).WithName("GetRebuild").WithSummary("A rebuild's state and progress: events done and total, events/s, points/s, ETA, error.");
    }
}
