using System.Text.Json.Nodes;
using Marten;
using Runstream.Blobs;
using Runstream.Query.Runs;
using Runstream.Query.Runs.Filtering;
using Runstream.Query.Security;
using Runstream.Store.Media;
using Runstream.Store.Runs;

namespace Runstream.Query.Media;

/// <summary>A run's images, tables and histograms: its keys, their values at sampled steps, a table's rows, and the files.</summary>
public static class MediaEndpoints
{
    public const int DefaultSteps = 100, MaxSteps = 1_000, MaxTableLimit = 1_000;

    public static IHostApplicationBuilder AddMedia(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<MediaReader>();
        return builder;
    }

    public static void MapMedia(this RouteGroupBuilder api)
    {
        api.MapGet("/projects/{project}/runs/{runId}/media", async Task<IResult> (string project, string runId, string? key, int? steps, long? step,
                IQuerySession session, MediaReader reader, HttpContext http, CancellationToken cancellation) =>
            {
                var runKey = new RunKey(http.Entity(), project, runId).ToString();
                if (await session.LoadAsync<RunDetails>(runKey, cancellation) is null)
                    return RunEndpoints.RunNotFound(project, runId);
                if (key is null)
                    return Results.Ok(new { keys = await reader.KeysAsync(runKey, cancellation) });
                if (steps is < 1 or > MaxSteps)
                    throw new QueryProblem("steps", $"steps is {steps}; ask for 1 to {MaxSteps:N0} steps.");
                var all = await reader.StepsAsync(runKey, key, cancellation);
                if (all.Count == 0)
                    return Results.Problem($"Run '{runId}' has no media under the key '{key}'.", statusCode: StatusCodes.Status404NotFound);
                var picked = step is { } one ? [one] : StepSampling.Pick(all, steps ?? DefaultSteps);
                var values = await reader.ValuesAsync(runKey, key, picked, cancellation);
                var kind = values.Count > 0 ? values[^1].Value.Kind : MediaValue.ImagesKind;
                var filesUrl = FilesUrl(project, runId);
                return Results.Ok(new MediaSteps(key, kind, all.Count, [.. values.Select(v => new MediaStep(v.Step, v.TimeMs,
                    v.Value.Images?.Select(i => new MediaImageView(i.Digest, i.Size, i.Width, i.Height, i.Format, i.Caption, $"{filesUrl}/{i.Digest}")).ToArray(),
                    v.Value.Table, v.Value.Histogram))]));
            })
            .WithName("GetRunMedia")
            .WithSummary("Without key: the run's media keys. With key: its values at up to 'steps' sampled steps (default 100), or at one 'step'.");

        api.MapGet("/projects/{project}/runs/{runId}/media/table", async Task<IResult> (string project, string runId, string key, long step,
                int? offset, int? limit, string? sort, bool? desc, string? search, MediaReader reader, IBlobStore blobs, HttpContext http, CancellationToken cancellation) =>
            {
                var runKey = new RunKey(http.Entity(), project, runId).ToString();
                if (offset is < 0)
                    throw new QueryProblem("offset", $"offset is {offset}; rows are counted from 0.");
                if (limit is < 1 or > MaxTableLimit)
                    throw new QueryProblem("limit", $"limit is {limit}; a page holds 1 to {MaxTableLimit:N0} rows.");
                var values = await reader.ValuesAsync(runKey, key, [step], cancellation);
                if (values is not [(_, _, { Table: { } table })] || !ContentDigest.TryParse(table.Digest, out var digest) || blobs.OpenRead(digest.Value) is not { } file)
                    return Results.Problem($"Run '{runId}' has no table under the key '{key}' at step {step}.", statusCode: StatusCodes.Status404NotFound);
                JsonArray rows;
                await using (file)
                    rows = (await JsonNode.ParseAsync(file, cancellationToken: cancellation))!["data"]!.AsArray();
                int? sortIndex = sort is null ? null : Array.IndexOf(table.Columns, sort) is var index and >= 0 ? index
                    : throw new QueryProblem("sort", $"the table has no column '{sort}'; its columns are {string.Join(", ", table.Columns)}.");
                var (total, page) = TableRows.Page(rows, sortIndex, desc ?? false, search, offset ?? 0, limit ?? 100);
                var filesUrl = FilesUrl(project, runId);
                foreach (var image in page.SelectMany(row => row).OfType<JsonObject>())
                    image["url"] = $"{filesUrl}/{image["digest"]}";
                return Results.Ok(new TablePage(key, step, table.Columns, total, offset ?? 0, page));
            })
            .WithName("GetRunMediaTable")
            .WithSummary("A page of a logged table's rows: sorted by a column, searched for text in any cell, image cells with the address of their file.");

        api.MapGet("/projects/{project}/runs/{runId}/media/files/{digest}", async Task<IResult> (string project, string runId, string digest,
                MediaReader reader, IBlobStore blobs, HttpContext http, CancellationToken cancellation) =>
            {
                var runKey = new RunKey(http.Entity(), project, runId).ToString();
                // Only files the run's own media names are served: a digest alone opens nothing.
                if (!ContentDigest.TryParse(digest, out var parsed) || !await reader.NamesAsync(runKey, digest, cancellation) || blobs.OpenRead(parsed.Value) is not { } file)
                    return Results.Problem($"Run '{runId}' has no media file '{digest}'.", statusCode: StatusCodes.Status404NotFound);
                // Content-addressed: the bytes under this address never change.
                http.Response.Headers.CacheControl = "private, max-age=31536000, immutable";
                return Results.Stream(file, MediaFiles.ContentTypeOf(file), enableRangeProcessing: true);
            })
            .WithName("DownloadRunMediaFile")
            .WithSummary("A file the run's media names (an image, or a table's JSON), by its SHA-256.");
    }

    private static string FilesUrl(string project, string runId) =>
        $"/api/v1/projects/{Uri.EscapeDataString(project)}/runs/{Uri.EscapeDataString(runId)}/media/files";
}
