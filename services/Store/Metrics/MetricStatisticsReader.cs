using Npgsql;
using Runstream.Store.Runs;

namespace Runstream.Store.Metrics;

/// <summary>
/// Each metric's statistics over a run's history up to a step (<see cref="MetricStepStatistics"/>), as history readers
/// see it (<see cref="RunLineage"/>: through a fork's ancestors, without superseded points). Reads every point up to
/// the step: it serves forks and rewinds, not the hot path. System metrics, never in summaries, are left out.
/// </summary>
public sealed class MetricStatisticsReader(NpgsqlDataSource database, StoreOptions store)
{
    public async Task<List<MetricStepStatistics>> ReadAsync(string runKey, long upToStep, CancellationToken cancellation)
    {
        // Every key the lineage's runs logged is listed, those with no point up to the step with a count of 0.
        await using var command = database.CreateCommand($"""
            with recursive {RunLineage.Cte(store.Schema, "$1", "$2")},
            chunk as (
                select c.key, c.steps, c.values, c.sequence, l.generation, x.cap
                from lineage l
                join {store.Schema}.{MetricHistoryTable.Name} c on c.run_key = l.run_key and c.sequence <= l.as_of and c.key not like 'system/%'
                cross join lateral (select {RunLineage.ChunkCap("l", "c")} as cap) x
            ), point as (
                select c.key, p.step, p.value, c.generation, c.sequence, p.at
                from chunk c
                cross join lateral unnest(c.steps, c.values) with ordinality as p(step, value, at)
                where p.step <= c.cap
            ), latest as (
                select distinct on (key) key, value from point order by key, step desc, generation, sequence desc, at desc
            )
            select k.key, count(p.value), l.value,
                min(p.value) filter (where p.value <> 'NaN'::float8), max(p.value) filter (where p.value <> 'NaN'::float8), avg(p.value)
            from (select distinct key from chunk) k
            left join point p on p.key = k.key
            left join latest l on l.key = k.key
            group by k.key, l.value
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = runKey });
        command.Parameters.Add(new NpgsqlParameter { Value = upToStep });
        await using var reader = await command.ExecuteReaderAsync(cancellation);
        var statistics = new List<MetricStepStatistics>();
        while (await reader.ReadAsync(cancellation))
            statistics.Add(new MetricStepStatistics(reader.GetString(0), reader.GetInt64(1),
                NullableDouble(reader, 2), NullableDouble(reader, 3), NullableDouble(reader, 4), NullableDouble(reader, 5)));
        return statistics;
    }

    private static double? NullableDouble(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetDouble(ordinal);
}
