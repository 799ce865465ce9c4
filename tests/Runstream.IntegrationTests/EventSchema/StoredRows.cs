using Npgsql;

namespace Runstream.IntegrationTests.EventSchema;

/// <summary>
/// Plants events as rows, the way an older release left them in <c>mt_events</c>, without going through today's
/// code (which would write today's shape).
/// </summary>
public static class StoredRows
{
    public static async Task PlantAsync(EventStoreOfItsOwn store, string streamKey, IReadOnlyList<EventFixture> events)
    {
        await using var connection = await store.Database.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using (var stream = new NpgsqlCommand($"insert into {store.Schema}.mt_streams (id, version) values ($1, $2)", connection, transaction))
        {
            stream.Parameters.Add(new() { Value = streamKey });
            stream.Parameters.Add(new() { Value = events.Max(e => e.StreamVersion) });
            await stream.ExecuteNonQueryAsync();
        }
        foreach (var e in events)
        {
            await using var insert = new NpgsqlCommand($"""
                insert into {store.Schema}.mt_events (seq_id, id, stream_id, version, data, type, mt_dotnet_type)
                values (nextval('{store.Schema}.mt_events_sequence'), $1, $2, $3, $4::jsonb, $5, $6)
                """, connection, transaction);
            insert.Parameters.Add(new() { Value = Guid.NewGuid() });
            insert.Parameters.Add(new() { Value = streamKey });
            insert.Parameters.Add(new() { Value = e.StreamVersion });
            insert.Parameters.Add(new() { Value = e.StoredJson });
            insert.Parameters.Add(new() { Value = e.Name });
            insert.Parameters.Add(new() { Value = e.DotnetType });
            await insert.ExecuteNonQueryAsync();
        }
        await transaction.CommitAsync();
    }
}
