using Npgsql;

namespace Runstream.Projections.Retention;

/// <summary>
/// A PostgreSQL session advisory lock that only one Projections instance holds at a time, so purges never
/// run concurrently (two purgers would race over the same collections, overviews and blobs). It lives as
/// long as its connection: a crashed holder's lock goes with its connection.
/// </summary>
public sealed class RetentionLock : IAsyncDisposable
{
    /// <summary>"RSRETAIN" as a number; Marten's daemon takes locks of its own, with other ids.</summary>
    private const long Key = 0x5253_5245_5441_494E;

    private readonly NpgsqlConnection _connection;

    private RetentionLock(NpgsqlConnection connection) => _connection = connection;

    /// <summary>The lock, or null when another instance holds it.</summary>
    public static async Task<RetentionLock?> TryTakeAsync(NpgsqlDataSource database, CancellationToken cancellation)
    {
        var connection = await database.OpenConnectionAsync(cancellation);
        await using (var command = new NpgsqlCommand($"select pg_try_advisory_lock({Key})", connection))
            if ((bool)(await command.ExecuteScalarAsync(cancellation))!)
                return new RetentionLock(connection);
        await connection.DisposeAsync();
        return null;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await using var command = new NpgsqlCommand($"select pg_advisory_unlock({Key})", _connection);
            await command.ExecuteScalarAsync();
        }
        finally
        {
            // Back in the pool unlocked; should the unlock have failed, the pool's reset (discard all) releases it.
            await _connection.DisposeAsync();
        }
    }
}
