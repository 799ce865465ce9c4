using JasperFx.Events;
using Marten;
using Marten.Events.Projections;
using Runstream.Store.Runs;

namespace Runstream.Store.Metrics;

/// <summary>
/// Inline: writes each <see cref="MetricsLogged"/> event as one chunk per key, in the same
/// transaction as the event, so history is exactly as complete as the stream. A rewind removes no rows: readers
/// leave out what it superseded (<see cref="RunLineage"/>), and a fork made before it still reads them.
/// </summary>
public sealed class MetricHistoryProjection(string schema) : IProjection
{
    private readonly string _insert = $"""
        insert into {schema}.{MetricHistoryTable.Name} (run_key, key, sequence, first_step, last_step, dense, steps, times_ms, values)
        values (?, ?, ?, ?, ?, ?, ?, ?, ?)
        on conflict (run_key, key, sequence) do nothing
        """;

    private readonly string _insertWithBlocks = $"""
        insert into {schema}.{MetricHistoryTable.Name} (run_key, key, sequence, first_step, last_step, dense, steps, times_ms, values, block_min, block_max, block_last)
        values (?, ?, ?, ?, ?, true, ?, ?, ?, ?, ?, ?)
        on conflict (run_key, key, sequence) do nothing
        """;

    public Task ApplyAsync(IDocumentOperations operations, IReadOnlyList<IEvent> events, CancellationToken cancellation)
    {
        foreach (var e in events)
            if (e.Data is MetricsLogged logged)
                foreach (var chunk in MetricChunk.Split(logged.Decode()))
                {
                    var dense = chunk.IsDense;
                    // Block summaries pay off only for chunks of several blocks; small chunks (many runs
                    // logging a few steps a second) are read point by point, at no cost to their ingest.
                    if (dense && chunk.Values.Length >= MetricHistoryTable.BlockSize)
                    {
                        var (min, max, last) = chunk.Blocks(MetricHistoryTable.BlockSize);
                        operations.QueueSqlCommand(_insertWithBlocks, e.StreamKey!, chunk.Key, logged.Sequence,
                            chunk.Steps[0], chunk.Steps[^1], chunk.Steps, chunk.Times, chunk.Values, min, max, last);
                    }
                    else
                        operations.QueueSqlCommand(_insert, e.StreamKey!, chunk.Key, logged.Sequence,
                            chunk.Steps[0], chunk.Steps.Max(), dense, chunk.Steps, chunk.Times, chunk.Values);
                }
        return Task.CompletedTask;
    }
}

/// <summary>One key's points of one frame, in the order they were logged.</summary>
public sealed record MetricChunk(string Key, long[] Steps, long[] Times, double[] Values)
{
    /// <summary>Steps first, first + 1, first + 2, ...: the usual training loop, whose steps a reader need not fetch.</summary>
    public bool IsDense
    {
        get
        {
            for (var i = 1; i < Steps.Length; i++)
                if (Steps[i] != Steps[0] + i)
                    return false;
            return true;
        }
    }

    /// <summary>Min, max (NaN only when the whole block is) and last value of each run of <paramref name="size"/> points.</summary>
    public (double[] Min, double[] Max, double[] Last) Blocks(int size)
    {
        var count = (Values.Length + size - 1) / size;
        var (min, max, last) = (new double[count], new double[count], new double[count]);
        for (var b = 0; b < count; b++)
        {
            double low = double.NaN, high = double.NaN;
            var end = Math.Min(Values.Length, (b + 1) * size);
            for (var i = b * size; i < end; i++)
            {
                var v = Values[i];
                if (double.IsNaN(v))
                    continue;
                if (double.IsNaN(low) || v < low)
                    low = v;
                if (double.IsNaN(high) || v > high)
                    high = v;
            }
            (min[b], max[b], last[b]) = (low, high, Values[end - 1]);
        }
        return (min, max, last);
    }

    public static IEnumerable<MetricChunk> Split(Contracts.V1.MetricsLogged batch)
    {
        var counts = new int[batch.Keys.Count];
        foreach (var row in batch.Rows)
            foreach (var index in row.KeyIndexes)
                counts[index]++;

        var chunks = new MetricChunk[batch.Keys.Count];
        var filled = new int[batch.Keys.Count];
        for (var k = 0; k < chunks.Length; k++)
            chunks[k] = new MetricChunk(batch.Keys[k], new long[counts[k]], new long[counts[k]], new double[counts[k]]);
        foreach (var row in batch.Rows)
        {
            for (var i = 0; i < row.KeyIndexes.Count; i++)
            {
                var k = (int)row.KeyIndexes[i];
                var at = filled[k]++;
                chunks[k].Steps[at] = row.Step;
                chunks[k].Times[at] = row.TimeUnixMs;
                chunks[k].Values[at] = row.Values[i];
            }
        }
        return chunks.Where(chunk => chunk.Steps.Length > 0);
    }
}
