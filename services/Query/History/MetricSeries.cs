using Npgsql;
using Runstream.Store;
using Runstream.Store.Metrics;

namespace Runstream.Query.History;

/// <summary>One metric of one run: its points in step order, one per step (the last write of a step wins).</summary>
public sealed class MetricSeries(string key, long[] steps, long[] timesMs, double[] values)
{
    public string Key { get; } = key;
    public long[] Steps { get; } = steps;
    public long[] TimesMs { get; } = timesMs;
    public double[] Values { get; } = values;
    public int Count => Steps.Length;
}

/// <summary>
/// Reads metric series from the history chunks. Chunks normally follow each other in step order, and
/// then their arrays are concatenated as they are; only when steps were logged again (a chunk
/// overlaps an earlier one) are the points sorted and de-duplicated, the later chunk winning.
/// </summary>
public sealed class MetricSeriesReader(NpgsqlDataSource database, StoreOptions store)
{
    /// <param name="keys">The keys to read; null for all.</param>
    /// <param name="withTimes">Whether to read wall-clock times (needed for the time axis and exports).</param>
    public async Task<Dictionary<string, MetricSeries>> ReadAsync(string runKey, string[]? keys, bool withTimes, CancellationToken cancellation)
    {
        var times = withTimes ? "times_ms" : "null::bigint[]";
        await using var command = database.CreateCommand($"""
            select key, first_step, last_step, steps, {times}, values from {store.Schema}.{MetricHistoryTable.Name}
            where run_key = $1 and ($2::text[] is null or key = any($2))
            order by key, sequence
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = runKey });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)keys ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Text });
        await using var reader = await command.ExecuteReaderAsync(cancellation);

        var series = new Dictionary<string, MetricSeries>();
        var chunks = new List<(long[] Steps, long[]? Times, double[] Values)>();
        string? current = null;
        var ordered = true;
        long lastStep = long.MinValue;
        while (await reader.ReadAsync(cancellation))
        {
            var key = reader.GetString(0);
            if (key != current)
            {
                if (current is not null)
                    series[current] = Assemble(current, chunks, ordered);
                current = key;
                chunks.Clear();
                ordered = true;
                lastStep = long.MinValue;
            }
            var first = reader.GetInt64(1);
            ordered &= first > lastStep;
            lastStep = Math.Max(lastStep, reader.GetInt64(2));
            chunks.Add((reader.GetFieldValue<long[]>(3), reader.IsDBNull(4) ? null : reader.GetFieldValue<long[]>(4), reader.GetFieldValue<double[]>(5)));
        }
        if (current is not null)
            series[current] = Assemble(current, chunks, ordered);
        return series;
    }

    private static MetricSeries Assemble(string key, List<(long[] Steps, long[]? Times, double[] Values)> chunks, bool ordered)
    {
        var count = chunks.Sum(c => c.Steps.Length);
        var steps = new long[count];
        var times = new long[count];
        var values = new double[count];
        var at = 0;
        foreach (var (chunkSteps, chunkTimes, chunkValues) in chunks)
        {
            chunkSteps.CopyTo(steps, at);
            chunkTimes?.CopyTo(times, at);
            chunkValues.CopyTo(values, at);
            at += chunkSteps.Length;
        }
        // Within a chunk steps may repeat too (a step logged twice in one frame); the strict check catches both.
        if (ordered && IsStrictlyIncreasing(steps))
            return new MetricSeries(key, steps, times, values);
        return Deduplicate(key, steps, times, values);
    }

    private static bool IsStrictlyIncreasing(long[] steps)
    {
        for (var i = 1; i < steps.Length; i++)
            if (steps[i] <= steps[i - 1])
                return false;
        return true;
    }

    /// <summary>Sorts by step, keeping the last-written point of each step (positions are in write order).</summary>
    private static MetricSeries Deduplicate(string key, long[] steps, long[] times, double[] values)
    {
        var order = Enumerable.Range(0, steps.Length).ToArray();
        Array.Sort(order, (a, b) => steps[a] != steps[b] ? steps[a].CompareTo(steps[b]) : a.CompareTo(b));
        var kept = new List<int>(order.Length);
        for (var i = 0; i < order.Length; i++)
            if (i == order.Length - 1 || steps[order[i + 1]] != steps[order[i]])
                kept.Add(order[i]);
        return new MetricSeries(key, [.. kept.Select(i => steps[i])], [.. kept.Select(i => times[i])], [.. kept.Select(i => values[i])]);
    }
}
