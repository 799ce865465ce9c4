using System.Text.Json;
using Npgsql;
using Runstream.Store.Media;
using StoreOptions = Runstream.Store.StoreOptions;

namespace Runstream.Query.Media;

/// <summary>Reads a run's media history from the table <see cref="MediaHistoryProjection"/> writes; a step's latest frame wins.</summary>
public sealed class MediaReader(NpgsqlDataSource database, StoreOptions store)
{
    private string Table => $"{store.Schema}.{MediaCellsTable.Name}";

    public async Task<List<MediaKey>> KeysAsync(string runKey, CancellationToken cancellation)
    {
        await using var command = database.CreateCommand($"""
            select key, (array_agg(kind order by step desc, sequence desc))[1], count(distinct step), min(step), max(step)
            from {Table} where run_key = $1 group by key order by key
            """);
        command.Parameters.Add(new() { Value = runKey });
        var keys = new List<MediaKey>();
        await using var reader = await command.ExecuteReaderAsync(cancellation);
        while (await reader.ReadAsync(cancellation))
            keys.Add(new MediaKey(reader.GetString(0), reader.GetString(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4)));
        return keys;
    }

    public async Task<List<long>> StepsAsync(string runKey, string key, CancellationToken cancellation)
    {
        await using var command = database.CreateCommand($"select distinct step from {Table} where run_key = $1 and key = $2 order by step");
        command.Parameters.Add(new() { Value = runKey });
        command.Parameters.Add(new() { Value = key });
        var steps = new List<long>();
        await using var reader = await command.ExecuteReaderAsync(cancellation);
        while (await reader.ReadAsync(cancellation))
            steps.Add(reader.GetInt64(0));
        return steps;
    }

    /// <summary>The key's value at each of <paramref name="steps"/> that has one, in step order.</summary>
    public async Task<List<(long Step, long TimeMs, MediaValue Value)>> ValuesAsync(string runKey, string key, long[] steps, CancellationToken cancellation)
    {
        await using var command = database.CreateCommand($"""
            select distinct on (step) step, time_ms, value from {Table}
            where run_key = $1 and key = $2 and step = any($3) order by step, sequence desc
            """);
        command.Parameters.Add(new() { Value = runKey });
        command.Parameters.Add(new() { Value = key });
        command.Parameters.Add(new() { Value = steps });
        var values = new List<(long, long, MediaValue)>();
        await using var reader = await command.ExecuteReaderAsync(cancellation);
        while (await reader.ReadAsync(cancellation))
            values.Add((reader.GetInt64(0), reader.GetInt64(1), JsonSerializer.Deserialize<MediaValue>(reader.GetString(2), MediaHistoryProjection.Json)!));
        return values;
    }

    /// <summary>Whether any of the run's media names the file: the run may serve only those.</summary>
    public async Task<bool> NamesAsync(string runKey, string digest, CancellationToken cancellation)
    {
        await using var command = database.CreateCommand($"select exists (select 1 from {Table} where run_key = $1 and $2 = any(digests))");
        command.Parameters.Add(new() { Value = runKey });
        command.Parameters.Add(new() { Value = digest });
        return (bool)(await command.ExecuteScalarAsync(cancellation))!;
    }
}
