using System.Text.Json.Serialization;
using Runstream.Blobs;
using Runstream.Query.Artifacts;
using Runstream.Query.History;
using Runstream.Query.Projects;
using Runstream.Query.Runs;
using Runstream.Query.Security;

namespace Runstream.Query;

public static class QueryApiRegistration
{
    public static IHostApplicationBuilder AddQueryApi(this IHostApplicationBuilder builder)
    {
        builder.Services.ConfigureHttpJsonOptions(json =>
        {
            // NaN and +/-Inf are real metric values; they travel as "NaN", "Infinity", "-Infinity".
            json.SerializerOptions.NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals;
            json.SerializerOptions.Converters.Add(new JsonStringEnumConverter(System.Text.Json.JsonNamingPolicy.CamelCase));
        });
        builder.Services.AddOpenApi("v1");
        builder.Services.AddProblemDetails();
        builder.AddBlobStore();
        return builder;
    }

    public static WebApplication MapQueryApi(this WebApplication app)
    {
        app.MapOpenApi("/openapi/{documentName}.json");
        var api = app.MapGroup("/api/v1").RequireApiKey();
        api.MapProjects();
        api.MapRuns();
        api.MapHistory();
        api.MapArtifacts();
        app.MapGroup("/admin/v1").MapApiKeyAdministration();
        return app;
    }
}
