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
        insert into {schema}.{MetricHistoryTable.Name} (run_key, key, sequence, first_step, last_step, steps, times_ms, values)
        values (?, ?, ?, ?, ?, ?, ?, ?)
        on conflict (run_key, key, sequence) do nothing
        """;

    public Task ApplyAsync(IDocumentOperations operations, IReadOnlyList<IEvent> events, CancellationToken cancellation)
    {
        foreach (var e in events)
            if (e.Data is MetricsLogged logged)
                foreach (var chunk in MetricChunk.Split(logged.Decode()))
                    operations.QueueSqlCommand(_insert, e.StreamKey!, chunk.Key, logged.Sequence,
                        chunk.Steps[0], chunk.Steps.Max(), chunk.Steps, chunk.Times, chunk.Values);
        return Task.CompletedTask;
    }
}

/// <summary>One key's points of one frame, in the order they were logged.</summary>
public sealed record MetricChunk(string Key, long[] Steps, long[] Times, double[] Values)
{
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
