using Runstream.Store.Security;

namespace Runstream.Query.Security;

/// <summary>
/// Every API route needs <c>Authorization: Bearer &lt;key&gt;</c>; the key's entity is the only one the
/// request sees. 401 names what is missing and says nothing about which entities exist.
/// </summary>
public static class ApiKeyAuthentication
{
    private const string EntityItem = "runstream.entity";

    /// <summary>
    /// Checks the key of every request under <paramref name="prefix"/> before anything else happens to
    /// it (a body is not even read), so a route is protected by where it lives, not by remembering to.
    /// </summary>
    public static WebApplication RequireApiKey(this WebApplication app, string prefix)
    {
        app.UseWhen(http => http.Request.Path.StartsWithSegments(prefix), api => api.Use(async (http, next) =>
        {
            var token = BearerToken(http);
            if (token is null)
            {
                await Results.Problem("Send an API key: Authorization: Bearer <key>.", statusCode: StatusCodes.Status401Unauthorized, title: "Missing API key").ExecuteAsync(http);
                return;
            }
            var entity = await http.RequestServices.GetRequiredService<ApiKeyValidator>().EntityOfAsync(token, http.RequestAborted);
            if (entity is null)
            {
                await Results.Problem("The API key is malformed, unknown or revoked.", statusCode: StatusCodes.Status401Unauthorized, title: "Invalid API key").ExecuteAsync(http);
                return;
            }
            http.Items[EntityItem] = entity;
            await next(http);
        }));
        return app;
    }

    /// <summary>The entity of the request's API key (set by <see cref="RequireApiKey"/>).</summary>
    public static string Entity(this HttpContext http) => (string)http.Items[EntityItem]!;

    /// <summary>
    /// The key from the Authorization header; for server-sent event routes also from <c>?api_key=</c>,
    /// because a browser's EventSource cannot send headers.
    /// </summary>
    public static string? BearerToken(HttpContext http)
    {
        var header = http.Request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.Ordinal))
            return header["Bearer ".Length..].Trim();
        return http.Request.Path.Value?.EndsWith("/events", StringComparison.Ordinal) == true && http.Request.Query["api_key"].ToString() is { Length: > 0 } key
            ? key
            : null;
    }
}
