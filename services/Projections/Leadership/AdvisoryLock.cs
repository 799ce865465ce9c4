using Npgsql;

namespace Runstream.Projections.Leadership;

/// <summary>
/// A PostgreSQL session advisory lock that only one Projections instance holds at a time, for work that must not run
/// on two at once (purges, rebuilds). It lives as long as its connection: a crashed holder's lock goes with it.
/// </summary>
public sealed class AdvisoryLock : IAsyncDisposable
{
    /// <summary>Purges: two purgers would race over the same collections, overviews and blobs. "RSRETAIN" as a number.</summary>
    public const long Retention = 0x5253_5245_5441_494E;

    /// <summary>Rebuilds: two replaying the same read model would only double the load. "RSREBILD" as a number.</summary>
    public const long Rebuilds = 0x5253_5245_4249_4C44;

    private readonly NpgsqlConnection _connection;
    private readonly long _key;

    private AdvisoryLock(NpgsqlConnection connection, long key) => (_connection, _key) = (connection, key);

    /// <summary>The lock named by <paramref name="key"/> (Marten's daemon takes locks of its own, with other ids), or null when another instance holds it.</summary>
    public static async Task<AdvisoryLock?> TryTakeAsync(NpgsqlDataSource database, long key, CancellationToken cancellation)
    {
        var connection = await database.OpenConnectionAsync(cancellation);
        await using (var command = new NpgsqlCommand($"select pg_try_advisory_lock({key})", connection))
            if ((bool)(await command.ExecuteScalarAsync(cancellation))!)
                return new AdvisoryLock(connection, key);
        await connection.DisposeAsync();
        return null;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await using var command = new NpgsqlCommand($"select pg_advisory_unlock({_key})", _connection);
            await command.ExecuteScalarAsync();
        }
        finally
        {
            // Back in the pool unlocked; should the unlock have failed, the pool's reset (discard all) releases it.
            await _connection.DisposeAsync();
        }
    }
}
