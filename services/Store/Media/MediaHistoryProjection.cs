using System.Text.Json;
using JasperFx.Events;
using Marten;
using Marten.Events.Projections;
using Runstream.Store.Runs;

namespace Runstream.Store.Media;

/// <summary>Inline: writes each <see cref="MediaLogged"/> event's values, one row per key and step, in the same transaction as the event.</summary>
public sealed class MediaHistoryProjection(string schema) : IProjection
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    // A key logged twice at one step in one frame: the later cell wins, as it would in a later frame.
    private readonly string _insert = $"""
        insert into {schema}.{MediaCellsTable.Name} (run_key, key, step, sequence, time_ms, kind, value, digests)
        values (?, ?, ?, ?, ?, ?, ?::jsonb, ?)
        on conflict (run_key, key, step, sequence) do update set time_ms = excluded.time_ms, kind = excluded.kind, value = excluded.value, digests = excluded.digests
        """;

    // Media of steps a rewind superseded is no longer the run's (its events keep the record).
    private readonly string _rewind = $"delete from {schema}.{MediaCellsTable.Name} where run_key = ? and step > ?";

    public Task ApplyAsync(IDocumentOperations operations, IReadOnlyList<IEvent> events, CancellationToken cancellation)
    {
        foreach (var e in events)
            if (e.Data is RunRewound rewound)
                operations.QueueSqlCommand(_rewind, e.StreamKey!, rewound.Step);
            else if (e.Data is MediaLogged logged)
            {
                var media = logged.Decode();
                foreach (var row in media.Rows)
                    foreach (var cell in row.Cells)
                    {
                        var value = MediaValue.From(cell);
                        operations.QueueSqlCommand(_insert, e.StreamKey!, media.Keys[(int)cell.KeyIndex], row.Step, logged.Sequence, row.TimeUnixMs,
                            value.Kind, JsonSerializer.Serialize(value, Json), value.Digests());
                    }
            }
        return Task.CompletedTask;
    }
}
