using System.Collections.Concurrent;
using Marten;

namespace Runstream.Store.Security;

/// <summary>
/// Which entity a token belongs to, or null. Answers are cached for a few seconds so a key check
/// costs no query per request; a revocation therefore takes effect within that time on every instance.
/// </summary>
public sealed class ApiKeyValidator(IDocumentStore store, TimeProvider clock)
{
    public static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(3);

    private readonly ConcurrentDictionary<string, (string? Entity, DateTimeOffset Until)> _cache = new();

    public async ValueTask<string?> EntityOfAsync(string? token, CancellationToken cancellation)
    {
        if (!ApiKey.TryParse(token, out var id, out var secret))
            return null;
        var now = clock.GetUtcNow();
        if (_cache.TryGetValue(token!, out var cached) && cached.Until > now)
            return cached.Entity;

        ApiKey? key;
        try
        {
            await using var session = store.QuerySession();
            key = await session.LoadAsync<ApiKey>(id, cancellation);
        }
        catch (Exception e) when (e is Npgsql.NpgsqlException or TimeoutException && cached.Until != default)
        {
            // The database is away: the last answer stands until it is back, so Ingest keeps taking
            // frames through an outage (a key revoked meanwhile stops working once it returns).
            return cached.Entity;
        }
        var entity = key is not null && key.Accepts(secret) ? key.Entity : null;
        _cache[token!] = (entity, now + CacheFor);
        return entity;
    }
}
