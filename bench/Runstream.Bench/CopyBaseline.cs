using System.Diagnostics;
using Npgsql;
using NpgsqlTypes;

namespace Runstream.Bench;

/// <summary>
/// The physical limit on this machine: binary COPY of the same kind of points (run, key, step,
/// time, value) into a plain, unindexed table, from two connections at once.
/// </summary>
internal static class CopyBaseline
{
    public static async Task<double> MeasurePointsPerSecondAsync(string connectionString, int keys, TimeSpan warmup, TimeSpan duration)
    {
        await using var database = NpgsqlDataSource.Create(connectionString);
        await using (var create = database.CreateCommand("drop table if exists bench_copy; create table bench_copy (run_key text, key text, step bigint, time_ms bigint, value float8)"))
            await create.ExecuteNonQueryAsync();

        long points = 0;
        var measuring = false;
        using var stop = new CancellationTokenSource(warmup + duration);
        var clock = new Stopwatch();
        var writers = Enumerable.Range(0, 2).Select(writer => Task.Run(async () =>
        {
            var step = 0L;
            while (!stop.IsCancellationRequested)
            {
                await using var connection = await database.OpenConnectionAsync();
                await using var copy = await connection.BeginBinaryImportAsync("copy bench_copy (run_key, key, step, time_ms, value) from stdin (format binary)");
                for (var row = 0; row < 10_000; row++, step++)
                    for (var k = 0; k < keys; k++)
                    {
                        await copy.StartRowAsync();
                        await copy.WriteAsync($"default/bench/copy{writer}", NpgsqlDbType.Text);
                        await copy.WriteAsync($"metric_{k}", NpgsqlDbType.Text);
                        await copy.WriteAsync(step, NpgsqlDbType.Bigint);
                        await copy.WriteAsync(step, NpgsqlDbType.Bigint);
                        await copy.WriteAsync(Math.Sin(step), NpgsqlDbType.Double);
                    }
                await copy.CompleteAsync();
                if (measuring)
                    Interlocked.Add(ref points, 10_000L * keys);
            }
        })).ToArray();

        await Task.Delay(warmup);
        measuring = true;
        clock.Start();
        await Task.WhenAll(writers);
        var rate = points / clock.Elapsed.TotalSeconds;
        await using (var drop = database.CreateCommand("drop table bench_copy"))
            await drop.ExecuteNonQueryAsync();
        return rate;
    }
}
