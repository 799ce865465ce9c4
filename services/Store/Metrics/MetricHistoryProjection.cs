using JasperFx.Events;
using Marten;
using Marten.Events.Projections;
using Runstream.Store.Runs;

namespace Runstream.Store.Metrics;

/// <summary>
/// Inline: writes the points of every <see cref="MetricsLogged"/> event in the batch with one
/// set-based statement. Logging a step again overwrites its value for that key (last write wins),
/// while the event that carried the old value stays in the stream.
/// </summary>
public sealed class MetricHistoryProjection(string schema) : IProjection
{
    private readonly string _upsert = $"""
        insert into {schema}.{MetricHistoryTable.Name} (run_key, key, step, time_ms, value)
        select * from unnest(?, ?, ?, ?, ?)
        on conflict (run_key, key, step) do update set time_ms = excluded.time_ms, value = excluded.value
        """;

    public Task ApplyAsync(IDocumentOperations operations, IReadOnlyList<IEvent> events, CancellationToken cancellation)
    {
        var points = new MetricPointBatch();
        foreach (var e in events)
            if (e.Data is MetricsLogged logged)
                points.Add(e.StreamKey!, logged.Decode());

        if (points.Count > 0)
            operations.QueueSqlCommand(_upsert, points.RunKeys, points.Keys, points.Steps, points.Times, points.Values);
        return Task.CompletedTask;
    }
}

/// <summary>Columns for one upsert, with repeats of (run, key, step) folded to the last value: one statement cannot update a row twice.</summary>
internal sealed class MetricPointBatch
{
    private readonly Dictionary<(string Run, string Key, long Step), int> _index = [];
    private readonly List<string> _runKeys = [];
    private readonly List<string> _keys = [];
    private readonly List<long> _steps = [];
    private readonly List<long> _times = [];
    private readonly List<double> _values = [];

    public int Count => _runKeys.Count;
    public string[] RunKeys => [.. _runKeys];
    public string[] Keys => [.. _keys];
    public long[] Steps => [.. _steps];
    public long[] Times => [.. _times];
    public double[] Values => [.. _values];

    public void Add(string runKey, Contracts.V1.MetricsLogged batch)
    {
        foreach (var row in batch.Rows)
        {
            for (var i = 0; i < row.KeyIndexes.Count; i++)
            {
                var key = batch.Keys[(int)row.KeyIndexes[i]];
                if (_index.TryGetValue((runKey, key, row.Step), out var at))
                {
                    _times[at] = row.TimeUnixMs;
                    _values[at] = row.Values[i];
                    continue;
                }
                _index[(runKey, key, row.Step)] = _runKeys.Count;
                _runKeys.Add(runKey);
                _keys.Add(key);
                _steps.Add(row.Step);
                _times.Add(row.TimeUnixMs);
                _values.Add(row.Values[i]);
            }
        }
    }
}
