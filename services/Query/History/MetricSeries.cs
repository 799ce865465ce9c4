using Npgsql;
using Runstream.Store.Metrics;
using Runstream.Store.Runs;
using StoreOptions = Runstream.Store.StoreOptions;

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

/// <summary>One history chunk as read: a dense chunk's steps are implied by its first step and not fetched.</summary>
/// <remarks>Read in blocks, <see cref="Values"/> is null and the block summaries are set instead (chunks of fewer points than a block have none, and are read as points).</remarks>
public sealed record MetricChunkRead(long FirstStep, long LastStep, long[]? Steps, long[]? Times, double[]? Values,
    double[]? BlockMin = null, double[]? BlockMax = null, double[]? BlockLast = null, long Sequence = 0)
{
    public int Count => (int)(Steps?.Length ?? LastStep - FirstStep + 1);
    public bool InBlocks => Values is null;

    public long StepAt(int i) => Steps?[i] ?? FirstStep + i;

    /// <summary>The chunk's points up to <paramref name="step"/>: its cap, where a fork was made or a rewind went back to.</summary>
    /// <remarks>Chunks that cross it are read as points, never in blocks.</remarks>
    public MetricChunkRead UpTo(long step)
    {
        if (LastStep <= step)
            return this;
        var values = Values ?? throw new InvalidOperationException("A chunk read in blocks cannot be cut.");
        var kept = Enumerable.Range(0, values.Length).Where(i => StepAt(i) <= step).ToArray();
        return this with
        {
            FirstStep = kept.Length > 0 ? StepAt(kept[0]) : FirstStep,
            LastStep = Math.Min(LastStep, step),
            Steps = Steps is null ? null : [.. kept.Select(i => Steps[i])],
            Times = Times is null ? null : [.. kept.Select(i => Times[i])],
            Values = [.. kept.Select(i => values[i])],
        };
    }
}

/// <summary>
/// One key's chunks in write order. Chunks normally follow each other in step order; only when
/// steps were logged again (a chunk overlaps an earlier one) are the points sorted and de-duplicated,
/// the later chunk winning.
/// </summary>
public sealed class MetricChunks(string key, List<MetricChunkRead> chunks)
{
    public string Key { get; } = key;
    public int Count => chunks.Sum(c => c.Count);
    /// <summary>The frame that wrote the newest chunk read.</summary>
    public long LastSequence => chunks.Max(c => c.Sequence);
    public bool InBlocks => chunks.Any(c => c.InBlocks);

    /// <summary>In step order with every step once, without looking at the points.</summary>
    private bool IsDenseAndOrdered()
    {
        var last = long.MinValue;
        foreach (var chunk in chunks)
        {
            if (chunk.Steps is not null || chunk.FirstStep <= last)
                return false;
            last = chunk.LastStep;
        }
        return true;
    }

    /// <summary>
    /// Sampling over steps straight from the chunks, for the common case of a training loop's dense,
    /// ordered steps: no series is assembled, no step is fetched, nothing large is allocated.
    /// Null when the chunks need the general path.
    /// </summary>
    public SampledSeries? TrySampleBySteps(int buckets)
    {
        if (!IsDenseAndOrdered())
            return null;
        var count = Count;
        if (count <= buckets && !InBlocks)
        {
            var x = new double[count];
            var y = new double[count];
            var at = 0;
            foreach (var chunk in chunks)
                for (var i = 0; i < chunk.Values!.Length; i++, at++)
                {
                    x[at] = chunk.FirstStep + i;
                    y[at] = chunk.Values[i];
                }
            return new SampledSeries(x, y, y, y, count);
        }
        var sampler = new Sampling.Sampler(buckets, chunks[0].FirstStep, chunks[^1].LastStep);
        foreach (var chunk in chunks)
        {
            if (chunk.Values is { } values)
                for (var i = 0; i < values.Length; i++)
                    sampler.Add(chunk.FirstStep + i, values[i]);
            else
                // A block lands in the bucket of its last step: its min and max are exact, its place within ~BlockSize steps.
                for (var b = 0; b < chunk.BlockLast!.Length; b++)
                    sampler.Add(Math.Min(chunk.FirstStep + (b + 1L) * MetricHistoryTable.BlockSize - 1, chunk.LastStep),
                        chunk.BlockMin![b], chunk.BlockMax![b], chunk.BlockLast[b]);
        }
        return sampler.Finish(count);
    }

    public MetricSeries ToSeries()
    {
        var count = Count;
        var steps = new long[count];
        var times = new long[count];
        var values = new double[count];
        var at = 0;
        foreach (var chunk in chunks)
        {
            var chunkValues = chunk.Values ?? throw new InvalidOperationException("Chunks read in blocks have no points.");
            for (var i = 0; i < chunkValues.Length; i++)
                steps[at + i] = chunk.StepAt(i);
            chunk.Times?.CopyTo(times, at);
            chunkValues.CopyTo(values, at);
            at += chunkValues.Length;
        }
        return IsStrictlyIncreasing(steps) ? new MetricSeries(Key, steps, times, values) : Deduplicate(Key, steps, times, values);
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

/// <summary>Reads a run's metric history chunks.</summary>
public sealed class MetricSeriesReader(NpgsqlDataSource database, StoreOptions store)
{
    /// <param name="keys">The keys to read; null for all.</param>
    /// <param name="withTimes">Whether to read wall-clock times (needed for the time axis, rows and exports).</param>
    /// <param name="blocksFrom">
    /// Keys whose chunks are all dense and hold at least this many points are read as block summaries
    /// rather than points (for sampling over steps only).
    /// </param>
    /// <param name="afterSequence">Only chunks written by frames after this one (live updates).</param>
    public async Task<Dictionary<string, MetricChunks>> ReadChunksAsync(string runKey, string[]? keys, bool withTimes, CancellationToken cancellation,
        long blocksFrom = long.MaxValue, long afterSequence = 0)
    {
        var times = withTimes ? "times_ms" : "null::bigint[]";
        // The run's history: its own chunks and its ancestors' as RunLineage says, each chunk up to its cap (the fork
        // step, a rewind). The points of a dense chunk are counted from its steps' range: counting the array would read
        // it. A key with a chunk beyond its cap is read as points, so the chunk can be cut there.
        await using var command = database.CreateCommand($"""
            with recursive {RunLineage.Cte(store.Schema, "$1", long.MaxValue.ToString(System.Globalization.CultureInfo.InvariantCulture))}
            select key, first_step, last_step, case when dense then null else steps end, {times},
                case when blocks and block_min is not null then null else values end,
                case when blocks then block_min end, case when blocks then block_max end, case when blocks then block_last end,
                case when generation = 0 then sequence else 0 end, cap
            from (
                select c.*, x.cap, l.generation,
                    bool_and(c.dense and c.last_step <= x.cap) over k and sum(c.last_step - c.first_step + 1) over k >= $3 as blocks
                from lineage l
                join {store.Schema}.{MetricHistoryTable.Name} c on c.run_key = l.run_key and c.sequence <= l.as_of
                cross join lateral (select {RunLineage.ChunkCap("l", "c")} as cap) x
                where (c.first_step <= x.cap or not c.dense) and ($2::text[] is null or c.key = any($2))
                    and (l.generation = 0 and c.sequence > $4 or l.generation > 0 and $4 = 0)
                window k as (partition by c.key)
            ) chunks
            order by key, generation desc, sequence
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = runKey });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)keys ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = blocksFrom });
        command.Parameters.Add(new NpgsqlParameter { Value = afterSequence });
        await using var reader = await command.ExecuteReaderAsync(cancellation);

        var byKey = new Dictionary<string, List<MetricChunkRead>>();
        while (await reader.ReadAsync(cancellation))
        {
            var key = reader.GetString(0);
            var chunk = new MetricChunkRead(reader.GetInt64(1), reader.GetInt64(2),
                reader.IsDBNull(3) ? null : reader.GetFieldValue<long[]>(3),
                reader.IsDBNull(4) ? null : reader.GetFieldValue<long[]>(4),
                reader.IsDBNull(5) ? null : reader.GetFieldValue<double[]>(5),
                reader.IsDBNull(6) ? null : reader.GetFieldValue<double[]>(6),
                reader.IsDBNull(7) ? null : reader.GetFieldValue<double[]>(7),
                reader.IsDBNull(8) ? null : reader.GetFieldValue<double[]>(8),
                reader.GetInt64(9)).UpTo(reader.GetInt64(10));
            // A sparse chunk whose every point was superseded has nothing to add.
            if (chunk.Count == 0)
                continue;
            if (!byKey.TryGetValue(key, out var chunks))
                byKey[key] = chunks = [];
            chunks.Add(chunk);
        }
        return byKey.ToDictionary(kv => kv.Key, kv => new MetricChunks(kv.Key, kv.Value));
    }

    public async Task<Dictionary<string, MetricSeries>> ReadAsync(string runKey, string[]? keys, bool withTimes, CancellationToken cancellation) =>
        (await ReadChunksAsync(runKey, keys, withTimes, cancellation)).ToDictionary(kv => kv.Key, kv => kv.Value.ToSeries());
}
