using Runstream.Query.Security;
using Npgsql;
using Runstream.Store;
using Runstream.Store.Metrics;
using Runstream.Store.Runs;

namespace Runstream.Query.History;

public static class HistoryEndpoints
{
    public static void MapHistory(this RouteGroupBuilder api)
    {
        api.MapGet("/projects/{project}/runs/{runId}/history",
                (string project, string runId, string? keys, NpgsqlDataSource database, StoreOptions store, HttpContext http, CancellationToken cancellation) =>
                    ReadRows(database, store.Schema, new RunKey(http.Entity(), project, runId), ParseKeys(keys), cancellation))
            .WithName("GetRunHistory")
            .WithSummary("Every logged step of a run, oldest first: one object per step with _step, _timestamp (seconds) and the chosen keys (all when keys is omitted).");
    }

    private static string[]? ParseKeys(string? keys) =>
        string.IsNullOrWhiteSpace(keys) ? null : keys.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>Streams the history step by step, pivoting (key, step) points into one row per step.</summary>
    private static async IAsyncEnumerable<Dictionary<string, object>> ReadRows(
        NpgsqlDataSource database, string schema, RunKey run, string[]? keys,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellation)
    {
        await using var command = database.CreateCommand(MetricHistoryTable.LatestPointsSql(schema));
        command.Parameters.Add(new NpgsqlParameter { Value = run.ToString() });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)keys ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Text });
        await using var reader = await command.ExecuteReaderAsync(cancellation);

        Dictionary<string, object>? row = null;
        long step = -1;
        while (await reader.ReadAsync(cancellation))
        {
            var pointStep = reader.GetInt64(0);
            if (row is null || pointStep != step)
            {
                if (row is not null)
                    yield return row;
                step = pointStep;
                row = new Dictionary<string, object> { ["_step"] = step, ["_timestamp"] = 0.0 };
            }
            var seconds = reader.GetInt64(1) / 1000.0;
            if (seconds > (double)row["_timestamp"])
                row["_timestamp"] = seconds;
            row[reader.GetString(2)] = reader.GetDouble(3);
        }
        if (row is not null)
            yield return row;
    }
}
