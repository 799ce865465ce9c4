using Runstream.Store.Security;

namespace Runstream.Query.Security;

/// <summary>
/// Every API route needs <c>Authorization: Bearer &lt;key&gt;</c>; the key's entity is the only one the
/// request sees. 401 names what is missing and says nothing about which entities exist.
/// </summary>
public static class ApiKeyAuthentication
{
    private const string EntityItem = "runstream.entity";

    public static RouteGroupBuilder RequireApiKey(this RouteGroupBuilder group) =>
        group.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            var token = BearerToken(http);
            if (token is null)
                return Results.Problem("Send an API key: Authorization: Bearer <key>.", statusCode: StatusCodes.Status401Unauthorized, title: "Missing API key");
            var entity = await http.RequestServices.GetRequiredService<ApiKeyValidator>().EntityOfAsync(token, http.RequestAborted);
            if (entity is null)
                return Results.Problem("The API key is malformed, unknown or revoked.", statusCode: StatusCodes.Status401Unauthorized, title: "Invalid API key");
            http.Items[EntityItem] = entity;
            return await next(context);
        });

    /// <summary>The entity of the request's API key (set by <see cref="RequireApiKey"/>).</summary>
    public static string Entity(this HttpContext http) => (string)http.Items[EntityItem]!;

    public static string? BearerToken(HttpContext http)
    {
        var header = http.Request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.Ordinal) ? header["Bearer ".Length..].Trim() : null;
    }
}
