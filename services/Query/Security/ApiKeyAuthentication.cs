using Runstream.Store.Security;

namespace Runstream.Query.Security;

/// <summary>
/// Every API route needs <c>Authorization: Bearer &lt;key&gt;</c>; the key's entity is the only one the
/// request sees. 401 names what is missing and says nothing about which entities exist. Keys are
/// taken from the header only, never from the URL, so they stay out of proxies' access logs.
/// </summary>
public static class ApiKeyAuthentication
{
    private const string EntityItem = "runstream.entity";
    private const string TokenItem = "runstream.token";

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
            var check = await http.RequestServices.GetRequiredService<ApiKeyValidator>().CheckAsync(token, http.Connection.RemoteIpAddress, http.RequestAborted);
            if (check.Throttled)
            {
                http.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(check.RetryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
                await Results.Problem("Too many unknown API keys from this address; retry later.", statusCode: StatusCodes.Status429TooManyRequests, title: "Too many failed key checks").ExecuteAsync(http);
                return;
            }
            if (check.Entity is null)
            {
                await Results.Problem("The API key is malformed, unknown or revoked.", statusCode: StatusCodes.Status401Unauthorized, title: "Invalid API key").ExecuteAsync(http);
                return;
            }
            http.Items[EntityItem] = check.Entity;
            http.Items[TokenItem] = token;
            await next(http);
        }));
        return app;
    }

    /// <summary>The entity of the request's API key (set by <see cref="RequireApiKey"/>).</summary>
    public static string Entity(this HttpContext http) => (string)http.Items[EntityItem]!;

    /// <summary>The id of the request's API key (not its secret): who made an edit, in the events it appends.</summary>
    public static string KeyId(this HttpContext http) =>
        ApiKey.TryParse((string)http.Items[TokenItem]!, out var id, out _) ? id : "";

    /// <summary>Whether the request was authenticated (routes outside the API are not).</summary>
    public static bool HasEntity(this HttpContext http) => http.Items.ContainsKey(EntityItem);

    /// <summary>Watches the request's key while a long response (an event stream) goes on.</summary>
    public static KeyWatch WatchKey(this HttpContext http) =>
        new(http.RequestServices.GetRequiredService<ApiKeyValidator>(), (string)http.Items[TokenItem]!);

    /// <summary>The key from the Authorization header.</summary>
    public static string? BearerToken(HttpContext http)
    {
        var header = http.Request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.Ordinal) ? header["Bearer ".Length..].Trim() : null;
    }
}
