using Npgsql;
using Runstream.Store.ConsoleOutput;
using StoreOptions = Runstream.Store.StoreOptions;

namespace Runstream.Query.Logs;

/// <summary>A console line as the API returns it: its number within the run, its time, its stream and its text.</summary>
public sealed record LogLine(long Line, DateTimeOffset Time, string Stream, string Text);

/// <summary>Reads a run's console lines by number, from the table <see cref="ConsoleProjection"/> writes.</summary>
public sealed class ConsoleReader(NpgsqlDataSource database, StoreOptions store)
{
    public async Task<List<LogLine>> ReadAsync(string runKey, long from, int limit, CancellationToken cancellation)
    {
        await using var command = database.CreateCommand($"""
            select line, time_ms, stderr, text from {store.Schema}.{ConsoleTable.Name}
            where run_key = $1 and line >= $2 order by line limit $3
            """);
        command.Parameters.Add(new() { Value = runKey });
        command.Parameters.Add(new() { Value = from });
        command.Parameters.Add(new() { Value = limit });
        var lines = new List<LogLine>();
        await using var reader = await command.ExecuteReaderAsync(cancellation);
        while (await reader.ReadAsync(cancellation))
            lines.Add(new LogLine(reader.GetInt64(0), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1)),
                reader.GetBoolean(2) ? "stderr" : "stdout", reader.GetString(3)));
        return lines;
    }
}
