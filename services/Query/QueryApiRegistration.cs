using System.Text.Json.Serialization;
using Microsoft.Extensions.FileProviders;
using Runstream.Blobs;
using Runstream.Query.Artifacts;
using Runstream.Query.Audit;
using Runstream.Query.Compare;
using Runstream.Query.History;
using Runstream.Query.Lineage;
using Runstream.Query.Live;
using Runstream.Query.Logs;
using Runstream.Query.Media;
using Runstream.Query.Projects;
using Runstream.Query.Rebuilds;
using Runstream.Query.Retention;
using Runstream.Query.Runs;
using Runstream.Query.Runs.Filtering;
using Runstream.Query.Security;
using Runstream.Query.Views;
using Runstream.Store;

namespace Runstream.Query;

public static class QueryApiRegistration
{
    /// <summary>Request bodies are small JSON edits; anything larger is refused before it is read.</summary>
    public const long MaxRequestBodyBytes = 1024 * 1024;

    /// <summary>Room for a 16 KB filter, URL-encoded, in the request line.</summary>
    public const int MaxRequestLineBytes = 64 * 1024;

    public static IHostApplicationBuilder AddQueryApi(this IHostApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection("Query").Get<QueryOptions>() ?? new QueryOptions();
        builder.Services.AddSingleton(options);
        builder.AddRunstreamStore(runAsyncProjections: false, options.StatementTimeout);
        builder.AddEntityConcurrencyLimits(options);
        builder.Services.ConfigureHttpJsonOptions(json =>
        {
            // NaN and +/-Inf are real metric values; they travel as "NaN", "Infinity", "-Infinity".
            json.SerializerOptions.NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals;
            json.SerializerOptions.Converters.Add(new JsonStringEnumConverter(System.Text.Json.JsonNamingPolicy.CamelCase));
        });
        builder.Services.Configure<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions>(kestrel =>
        {
            kestrel.Limits.MaxRequestBodySize = MaxRequestBodyBytes;
            kestrel.Limits.MaxRequestLineSize = MaxRequestLineBytes;
            kestrel.Limits.MaxRequestBufferSize = MaxRequestLineBytes * 2;
        });
        builder.Services.AddOpenApi("v1");
        builder.Services.AddProblemDetails();
        builder.AddBlobStore();
        builder.Services.AddSingleton<RunTable>();
        builder.Services.AddSingleton<MetricSeriesReader>();
        builder.Services.AddSingleton<ConsoleReader>();
        builder.AddMedia();
        builder.Services.AddSingleton<ChangeFeed>();
        builder.Services.AddHostedService(services => services.GetRequiredService<ChangeFeed>());
        return builder;
    }

    public static WebApplication MapQueryApi(this WebApplication app)
    {
        app.Use(AnswerQueryProblems);
        app.RequireApiKey("/api");
        app.UseRateLimiter();
        app.MapOpenApi("/openapi/{documentName}.json");
        var api = app.MapGroup("/api/v1");
        api.MapProjects();
        api.MapProjectDeletion();
        api.MapRuns();
        api.MapHistory();
        api.MapCompare();
        api.MapArtifacts();
        api.MapLive();
        api.MapLogs();
        api.MapMedia();
        api.MapAudit();
        api.MapLineage();
        api.MapSavedViews();
        var admin = app.MapGroup("/admin/v1");
        // The admin key filter applies to every route of the group.
        admin.MapApiKeyAdministration();
        admin.MapPurgeAdministration();
        admin.MapRebuildAdministration();
        app.MapDashboard();
        return app;
    }

    /// <summary>
    /// A request the API cannot answer (a bad filter, say) is a 400 that says where the mistake is; one that
    /// ran into the statement timeout is a 503 that says which limit it met. Neither is a 500.
    /// </summary>
    private static async Task AnswerQueryProblems(HttpContext http, RequestDelegate next)
    {
        try
        {
            await next(http);
        }
        catch (QueryProblem problem) when (!http.Response.HasStarted)
        {
            await Results.Problem(problem.Message, statusCode: StatusCodes.Status400BadRequest, title: "Bad request").ExecuteAsync(http);
        }
        catch (Exception e) when (StatementTimeouts.IsTimeout(e) && !http.RequestAborted.IsCancellationRequested && !http.Response.HasStarted)
        {
            var limit = http.RequestServices.GetRequiredService<QueryOptions>().StatementTimeout;
            http.Response.Headers.RetryAfter = "5";
            await Results.Problem($"The query ran longer than {limit.TotalSeconds:0.#} s (Query:StatementTimeout) and was cancelled; narrow the filter, " +
                "simplify its regular expressions or ask for fewer steps.", statusCode: StatusCodes.Status503ServiceUnavailable, title: "Query timed out").ExecuteAsync(http);
        }
        catch (BadHttpRequestException bad) when (!http.Response.HasStarted)
        {
            // Malformed JSON bodies and missing parameters: the framework's message names the parameter.
            await Results.Problem(bad.Message, statusCode: bad.StatusCode, title: "Bad request").ExecuteAsync(http);
        }
    }

    /// <summary>
    /// The dashboard: static files built from <c>dashboard/</c> (Dashboard:Root, by default the
    /// wwwroot folder next to the service). The app routes in the URL fragment, so no fallback route is needed.
    /// </summary>
    private static void MapDashboard(this WebApplication app)
    {
        var root = app.Configuration["Dashboard:Root"] ?? Path.Combine(AppContext.BaseDirectory, "wwwroot");
        if (!Directory.Exists(root))
        {
            app.Logger.LogInformation("No dashboard at {Root}; serving the API only.", root);
            return;
        }
        var files = new PhysicalFileProvider(Path.GetFullPath(root));
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files });
        app.UseStaticFiles(new StaticFileOptions { FileProvider = files });
    }
}
