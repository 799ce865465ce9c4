using System.Security.Cryptography;
using System.Text;
using Marten;
using Runstream.Store.Security;

namespace Runstream.Query.Security;

public sealed record CreateApiKey(string Entity, string Name);

public sealed record CreatedApiKey(string Id, string Entity, string Name, string Key);

public sealed record ApiKeySummary(string Id, string Entity, string Name, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt);

/// <summary>
/// Creating, listing and revoking API keys, for the holder of the bootstrap admin key
/// (<c>Security:AdminKey</c>, a Kubernetes Secret in production). Without one configured these routes do not answer.
/// </summary>
public static class ApiKeyAdministration
{
    public static void MapApiKeyAdministration(this RouteGroupBuilder admin)
    {
        admin.AddEndpointFilter(async (context, next) =>
        {
            var configured = context.HttpContext.RequestServices.GetRequiredService<IConfiguration>()["Security:AdminKey"];
            if (string.IsNullOrEmpty(configured))
                return Results.Problem("No admin key is configured (Security:AdminKey).", statusCode: StatusCodes.Status404NotFound);
            var token = ApiKeyAuthentication.BearerToken(context.HttpContext);
            if (token is null || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(token), Encoding.UTF8.GetBytes(configured)))
                return Results.Problem("Send the admin key: Authorization: Bearer <admin key>.", statusCode: StatusCodes.Status401Unauthorized, title: "Admin key required");
            return await next(context);
        });

        admin.MapPost("/keys", async Task<IResult> (CreateApiKey request, IDocumentSession session, CancellationToken cancellation) =>
        {
            if (string.IsNullOrWhiteSpace(request.Entity) || request.Entity.Length > 128 || !request.Entity.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
                return Results.Problem("entity: 1 to 128 letters, digits, '-', '_' or '.'.", statusCode: StatusCodes.Status400BadRequest);
            var (key, token) = ApiKey.Create(request.Entity, request.Name ?? "");
            session.Store(key);
            await session.SaveChangesAsync(cancellation);
            return Results.Created($"/admin/v1/keys/{key.Id}", new CreatedApiKey(key.Id, key.Entity, key.Name, token));
        }).WithName("CreateApiKey").WithSummary("A new key for an entity; the key itself is in this response only.");

        admin.MapGet("/keys", async (string? entity, IQuerySession session, CancellationToken cancellation) =>
            (await session.Query<ApiKey>().Where(k => entity == null || k.Entity == entity).OrderBy(k => k.CreatedAt).ToListAsync(cancellation))
                .Select(k => new ApiKeySummary(k.Id, k.Entity, k.Name, k.CreatedAt, k.RevokedAt)))
            .WithName("ListApiKeys");

        admin.MapDelete("/keys/{id}", async Task<IResult> (string id, IDocumentSession session, CancellationToken cancellation) =>
        {
            var key = await session.LoadAsync<ApiKey>(id, cancellation);
            if (key is null)
                return Results.Problem($"No key '{id}'.", statusCode: StatusCodes.Status404NotFound);
            key.RevokedAt ??= DateTimeOffset.UtcNow;
            session.Store(key);
            await session.SaveChangesAsync(cancellation);
            return Results.NoContent();
        }).WithName("RevokeApiKey").WithSummary($"Revokes a key; every instance stops accepting it within a few seconds.");
    }
}
