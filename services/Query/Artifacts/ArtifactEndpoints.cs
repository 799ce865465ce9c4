using Runstream.Query.Security;
using Marten;
using Runstream.Blobs;
using Runstream.Query.Runs.Filtering;
using Runstream.Store.Artifacts;
using Runstream.Store.Runs;

namespace Runstream.Query.Artifacts;

public static class ArtifactEndpoints
{
    public static void MapArtifacts(this RouteGroupBuilder api)
    {
        api.MapGet("/projects/{project}/artifacts", async (string project, IQuerySession session, HttpContext http, CancellationToken cancellation) =>
            {
                // The entity is read outside the query: Marten translates the lambda, not the HTTP context.
                var entity = http.Entity();
                return await session.Query<ArtifactCollection>()
                    .Where(c => c.Entity == entity && c.Project == project)
                    .OrderBy(c => c.Name)
                    .ToListAsync(cancellation);
            })
            .WithName("ListArtifacts")
            .WithSummary("The project's artifact collections, each with its versions, aliases, files and producing runs.");

        api.MapGet("/projects/{project}/artifacts/{name}", async Task<IResult> (string project, string name, IQuerySession session, HttpContext http, CancellationToken cancellation) =>
            await Load(session, http.Entity(), project, name, cancellation) is { } collection
                ? Results.Ok(collection)
                : Results.Problem($"Artifact '{name}' does not exist in project '{project}'.", statusCode: 404))
            .WithName("GetArtifact");

        api.MapGet("/projects/{project}/artifacts/{name}/{version}", async Task<IResult> (string project, string name, string version, IQuerySession session, HttpContext http, CancellationToken cancellation) =>
            (await Load(session, http.Entity(), project, name, cancellation))?.Find(version) is { } found
                ? Results.Ok(found)
                : Results.Problem($"Artifact '{name}' has no version or alias '{version}'.", statusCode: 404))
            .WithName("GetArtifactVersion")
            .WithSummary("One version by number (v0, v1, ...) or alias (latest, ...).");

        api.MapGet("/projects/{project}/artifacts/{name}/{version}/files/{**path}", async Task<IResult> (string project, string name, string version, string path, IQuerySession session, IBlobStore blobs, HttpContext http, CancellationToken cancellation) =>
            {
                var found = (await Load(session, http.Entity(), project, name, cancellation))?.Find(version);
                // Only paths listed in the version's manifest are served; the blob is found by its digest.
                var file = found?.Files.FirstOrDefault(f => f.Path == path);
                if (file is null || !ContentDigest.TryParse(file.Digest, out var digest) || blobs.OpenRead(digest.Value) is not { } content)
                    return Results.Problem($"Artifact '{name}:{version}' has no file '{path}'.", statusCode: 404);
                return Results.Stream(content, "application/octet-stream", Path.GetFileName(path));
            })
            .WithName("DownloadArtifactFile");

        api.MapPut("/projects/{project}/artifacts/{name}/aliases/{alias}", async Task<IResult> (string project, string name, string alias, AliasTarget target,
                IDocumentStore store, HttpContext http, CancellationToken cancellation) =>
            {
                if (RunTextRules.NameProblem("alias", alias) is { } problem)
                    throw new QueryProblem("alias", problem);
                await using var session = store.LightweightSession();
                var entity = http.Entity();
                var collection = await Load(session, entity, project, name, cancellation);
                if (collection?.Find(target.Version) is not { } version)
                    return Results.Problem($"Artifact '{name}' has no version '{target.Version}'.", statusCode: StatusCodes.Status404NotFound);
                if (int.TryParse(alias.StartsWith('v') ? alias[1..] : alias, out _))
                    throw new QueryProblem("alias", $"'{alias}' reads as a version number; aliases are names such as 'best' or 'production'.");
                if (alias == ArtifactCollectionProjection.Latest)
                    throw new QueryProblem("alias", "'latest' always names the newest version; it cannot be set.");
                session.Events.Append(ArtifactCollectionProjection.StreamKeyOf(entity, project, name),
                    new ArtifactAliasSet(entity, project, name, alias, version.Version, DateTimeOffset.UtcNow));
                await session.SaveChangesAsync(cancellation);
                return Results.Accepted(value: new { alias, version = version.Version });
            })
            .WithName("SetArtifactAlias")
            .WithSummary("Adds an alias to a version or moves it there (an event in the collection's stream; applied a moment later).");

        api.MapDelete("/projects/{project}/artifacts/{name}/aliases/{alias}", async Task<IResult> (string project, string name, string alias,
                IDocumentStore store, HttpContext http, CancellationToken cancellation) =>
            {
                if (alias == ArtifactCollectionProjection.Latest)
                    throw new QueryProblem("alias", "'latest' always names the newest version; it cannot be removed.");
                await using var session = store.LightweightSession();
                var entity = http.Entity();
                var collection = await Load(session, entity, project, name, cancellation);
                if (collection is null || !collection.Versions.Any(v => v.Aliases.Contains(alias)))
                    return Results.Problem($"Artifact '{name}' has no alias '{alias}'.", statusCode: StatusCodes.Status404NotFound);
                session.Events.Append(ArtifactCollectionProjection.StreamKeyOf(entity, project, name),
                    new ArtifactAliasRemoved(entity, project, name, alias, DateTimeOffset.UtcNow));
                await session.SaveChangesAsync(cancellation);
                return Results.Accepted();
            })
            .WithName("RemoveArtifactAlias");
    }

    public sealed record AliasTarget(string Version);

    private static Task<ArtifactCollection?> Load(IQuerySession session, string entity, string project, string name, CancellationToken cancellation) =>
        session.LoadAsync<ArtifactCollection>(ArtifactCollection.KeyOf(entity, project, name), cancellation);
}
