using System.Text.Json.Nodes;
using Marten;
using Npgsql;
using Runstream.Query.Runs.Filtering;
using StoreOptions = Runstream.Store.StoreOptions;
using Runstream.Store.Runs;

namespace Runstream.Query.Runs;

public sealed record RunsPage(IReadOnlyList<RunDetails> Runs, long Total, string? NextCursor);

/// <summary>
/// The runs table: a project's runs filtered, sorted and paged in PostgreSQL over the run documents,
/// in one round trip. Also the run selection behind parallel coordinates, importance and grouping.
/// </summary>
public sealed class RunTable(NpgsqlDataSource database, StoreOptions store, IDocumentStore documents)
{
    public const int MaxLimit = 1000;

    private string Table => $"{store.Schema}.mt_doc_rundetails";

    /// <param name="deleted">The deleted runs (the project's bin) instead of the others.</param>
    public async Task<RunsPage> PageAsync(string entity, string project, string? filters, RunOrder order, int limit, string? cursor, CancellationToken cancellation, bool deleted = false)
    {
        if (limit is < 1 or > MaxLimit)
            throw new QueryProblem("limit", $"{limit} is out of range; the limit is 1 to {MaxLimit}.");
        var parameters = new SqlParameters();
        var where = Where(entity, project, filters, parameters, deleted);
        var keys = order.KeyColumns(parameters);
        var after = cursor is null ? "true" : order.After(RunOrder.Cursor.Decode(cursor), parameters);

        // The filter runs once: the matching runs' ids and sort keys are counted and paged from one
        // materialised set, and only the page's documents are read. An empty page is one row of nulls and the total.
        // (The text of the sort key has a name of its own: the outer sort must compare the jsonb, not the text.)
        await using var batch = database.CreateBatch();
        batch.BatchCommands.Add(Command($"""
            with matched as materialized (
                select d.id, {keys} from {Table} d where {where}
            )
            select t.data, page.k_present, page.k_value::text as k_value_text, page.k_id, counted.total
            from (select count(*) as total from matched) counted
            left join lateral (
                select * from matched where {after} order by {order.OrderBy} limit {limit + 1}
            ) page on true
            left join {Table} t on t.id = page.k_id
            order by {order.OrderBy}
            """, parameters));

        var runs = new List<RunDetails>(Math.Min(limit, 128));
        RunOrder.Cursor? last = null;
        var more = false;
        long total = 0;
        await using var reader = await ExecuteAsync(batch, cancellation);
        while (await reader.ReadAsync(cancellation))
        {
            total = reader.GetInt64(4);
            if (reader.IsDBNull(0))
                break;
            if (runs.Count == limit)
            {
                more = true;
                break;
            }
            runs.Add(Deserialize(reader.GetString(0)));
            last = new RunOrder.Cursor(reader.GetBoolean(1), reader.GetString(2), reader.GetString(3));
        }
        return new RunsPage(runs, total, more ? last!.Encode() : null);
    }

    /// <summary>Every run matching the filter (up to <paramref name="max"/>), for views that compare runs.</summary>
    public async Task<List<RunDetails>> SelectAsync(string entity, string project, string? filters, int max, CancellationToken cancellation)
    {
        var parameters = new SqlParameters();
        var where = Where(entity, project, filters, parameters);
        await using var batch = database.CreateBatch();
        batch.BatchCommands.Add(Command($"select d.data from {Table} d where {where} order by d.data ->> 'createdAt' desc limit {max}", parameters));
        await using var reader = await ExecuteAsync(batch, cancellation);
        var runs = new List<RunDetails>();
        while (await reader.ReadAsync(cancellation))
            runs.Add(Deserialize(reader.GetString(0)));
        return runs;
    }

    /// <summary>Keeps only the chosen config paths and summary keys (a table shows a few columns of thousands).</summary>
    public static void KeepColumns(RunDetails run, string[] columns)
    {
        var summary = columns.Where(c => c.StartsWith("summary.", StringComparison.Ordinal)).Select(c => c["summary.".Length..]).ToHashSet();
        run.Summary = run.Summary.Where(kv => summary.Contains(kv.Key)).ToDictionary();
        var config = new JsonObject();
        foreach (var column in columns.Where(c => c.StartsWith("config.", StringComparison.Ordinal)))
        {
            var path = column["config.".Length..].Split('.');
            JsonNode? node = run.Config;
            foreach (var key in path)
                node = node is JsonObject o && o.TryGetPropertyValue(key, out var child) ? child : null;
            if (node is null)
                continue;
            var target = config;
            foreach (var key in path[..^1])
                target = target[key] as JsonObject ?? (JsonObject)(target[key] = new JsonObject());
            target[path[^1]] = node.DeepClone();
        }
        run.Config = config;
    }

    private static string Where(string entity, string project, string? filters, SqlParameters parameters, bool deleted = false) =>
        // The project condition matches the expression of Marten's index on the project.
        $"(d.data ->> 'project') = {parameters.Add(project)} and (d.data ->> 'entity') = {parameters.Add(entity)}"
        // The bin holds deleted runs, not the ones that moved to another project (they are there).
        + $" and (d.data ->> 'deletedAt') is {(deleted ? "not null and (d.data ->> 'movedTo') is null" : "null")} and {RunFilter.Compile(filters, parameters)}";

    private static NpgsqlBatchCommand Command(string sql, SqlParameters parameters)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var parameter in parameters.All)
            command.Parameters.Add(parameter.Clone());
        return command;
    }

    private static async Task<NpgsqlDataReader> ExecuteAsync(NpgsqlBatch batch, CancellationToken cancellation)
    {
        try
        {
            return await batch.ExecuteReaderAsync(cancellation);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.InvalidRegularExpression)
        {
            throw new QueryProblem("filters.$regex", e.MessageText);
        }
    }

    private RunDetails Deserialize(string json) => documents.Options.Serializer().FromJson<RunDetails>(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(json)));
}
