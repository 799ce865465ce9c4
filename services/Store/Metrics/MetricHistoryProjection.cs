using JasperFx.Events;
using Marten;
using Marten.Events.Projections;
using Runstream.Store.Runs;

namespace Runstream.Store.Metrics;

/// <summary>
/// Inline: writes each <see cref="MetricsLogged"/> event as one chunk per key, in the same
/// transaction as the event, so history is exactly as complete as the stream.
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

    // A rewind keeps each chunk's points up to its step, in their order, and drops chunks left empty; block
    // summaries of a cut chunk no longer match its points, so it is read point by point from then on.
    private readonly string _rewind = $$"""
        with kept as (
            select c.run_key, c.key, c.sequence, k.steps, k.times, k.values
            from {{schema}}.{{MetricHistoryTable.Name}} c
            cross join lateral (
                select coalesce(array_agg(p.step order by p.at), '{}') as steps, coalesce(array_agg(p.time order by p.at), '{}') as times,
                    coalesce(array_agg(p.value order by p.at), '{}') as values
                from unnest(c.steps, c.times_ms, c.values) with ordinality as p(step, time, value, at)
                where p.step <= ?) k
            where c.run_key = ? and c.last_step > ?
        ), cut as (
            update {{schema}}.{{MetricHistoryTable.Name}} c
            set steps = kept.steps, times_ms = kept.times, values = kept.values, first_step = kept.steps[1],
                last_step = (select max(s) from unnest(kept.steps) s), block_min = null, block_max = null, block_last = null
            from kept
            where c.run_key = kept.run_key and c.key = kept.key and c.sequence = kept.sequence and cardinality(kept.steps) > 0
        )
        delete from {{schema}}.{{MetricHistoryTable.Name}} c
        using kept
        where c.run_key = kept.run_key and c.key = kept.key and c.sequence = kept.sequence and cardinality(kept.steps) = 0
        """;

    public Task ApplyAsync(IDocumentOperations operations, IReadOnlyList<IEvent> events, CancellationToken cancellation)
    {
        foreach (var e in events)
            if (e.Data is RunRewound rewound)
                operations.QueueSqlCommand(_rewind, rewound.Step, e.StreamKey!, rewound.Step);
            else if (e.Data is MetricsLogged logged)
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
