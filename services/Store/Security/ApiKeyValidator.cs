using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Diagnostics.Metrics;
using System.Net;
using System.Threading.RateLimiting;
using Marten;
using Microsoft.Extensions.Options;

namespace Runstream.Store.Security;

/// <summary>
/// Which entity a token belongs to. Keys are cached by id, the stored key itself (its entity and
/// the secret's hash), only for keys that exist and are not revoked, a bounded number of them, each
/// read again once older than <see cref="CacheFor"/> (so a revocation reaches every instance within
/// that time). A token that is no key is never stored. Lookups of ids that are no live key's (a
/// random token's, a revoked key's) are limited per client address, so such tokens cost neither
/// memory nor much of the database, while the ids of live keys, re-read every
/// <see cref="KeyIdsFor"/>, are always looked up: a flood from a shared address does not lock out
/// its real keys.
/// </summary>
public sealed class ApiKeyValidator
{
    public static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(2);

    /// <summary>Keys kept at most; beyond that, keys not read for <see cref="ForgetAfter"/> make room.</summary>
    public const int MaxCachedKeys = 10_000;
    public static readonly TimeSpan ForgetAfter = TimeSpan.FromMinutes(10);

    /// <summary>How long the list of live key ids is used before it is read again.</summary>
    public static readonly TimeSpan KeyIdsFor = TimeSpan.FromSeconds(10);

    private static readonly Meter Meter = new("Runstream");
    private static readonly Counter<long> Lookups = Meter.CreateCounter<long>("runstream.security.key_lookups", description: "API keys looked up in the database");
    private static readonly Counter<long> Throttled = Meter.CreateCounter<long>("runstream.security.key_checks_throttled", description: "Key checks refused because the client's failed lookups ran over their rate");

    private readonly IDocumentStore _store;
    private readonly TimeProvider _clock;
    private readonly ConcurrentDictionary<string, KnownKey> _keys = new(StringComparer.Ordinal);
    private readonly PartitionedRateLimiter<string> _failures;
    private readonly KeyCheckOptions _options;
    private volatile KeyIds _keyIds = new([], DateTimeOffset.MinValue);
    private int _refreshingKeyIds;

    private sealed record KnownKey(ApiKey Key, DateTimeOffset ReadAt);
    private sealed record KeyIds(FrozenSet<string> Ids, DateTimeOffset ReadAt);

    public ApiKeyValidator(IDocumentStore store, TimeProvider clock, IOptions<KeyCheckOptions> options)
    {
        (_store, _clock, _options) = (store, clock, options.Value);
        _failures = PartitionedRateLimiter.Create<string, string>(client => RateLimitPartition.GetTokenBucketLimiter(client, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = Math.Max(1, _options.FailedLookupBurst),
            TokensPerPeriod = Math.Max(1, _options.FailedLookupsPerSecond),
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        }));
        Meter.CreateObservableGauge("runstream.security.cached_keys", () => _keys.Count, description: "API keys held in the key cache");
    }

    /// <summary>
    /// The key check of a new request or call from <paramref name="client"/>. A token whose id is no live
    /// key's, from a client whose lookups kept finding nothing, is answered <see cref="KeyCheck.Throttled"/>
    /// without a lookup until the client's budget refills.
    /// </summary>
    public async ValueTask<KeyCheck> CheckAsync(string? token, IPAddress? client, CancellationToken cancellation)
    {
        if (!ApiKey.TryParse(token, out var id, out var secret))
            return KeyCheck.Invalid;
        if (Fresh(id) is { } known)
            return known.Accepts(secret) ? KeyCheck.Valid(known.Entity) : KeyCheck.Invalid;
        var address = ClientOf(client);
        if (!IsLiveKeyId(id) && _failures.GetStatistics(address)?.CurrentAvailablePermits <= 0)
        {
            Throttled.Add(1);
            return KeyCheck.Throttle(TimeSpan.FromSeconds(1.0 / Math.Max(1, _options.FailedLookupsPerSecond)));
        }
        var entity = await EntityOfAsync(token!, cancellation);
        if (entity is null)
            _failures.AttemptAcquire(address).Dispose();
        return entity is null ? KeyCheck.Invalid : KeyCheck.Valid(entity);
    }

    /// <summary>
    /// Which entity the token belongs to now, or null: from the cache while the key read is fresh, else from
    /// the database. Open streams call this every second or so, which is how a revocation ends them.
    /// </summary>
    public async ValueTask<string?> EntityOfAsync(string token, CancellationToken cancellation)
    {
        if (!ApiKey.TryParse(token, out var id, out var secret))
            return null;
        var key = Fresh(id);
        if (key is null)
        {
            try
            {
                await using var session = _store.QuerySession();
                key = await session.LoadAsync<ApiKey>(id, cancellation);
                Lookups.Add(1);
            }
            catch (Exception e) when (e is Npgsql.NpgsqlException or TimeoutException && _keys.TryGetValue(id, out var known))
            {
                // The database is away: a key read before stands until it is back, so Ingest keeps taking
                // frames through an outage (a key revoked meanwhile stops working once it returns).
                key = known.Key;
            }
            if (key is null || key.RevokedAt is not null)
            {
                _keys.TryRemove(id, out _);
                return null;
            }
            Remember(key);
        }
        return key.Accepts(secret) ? key.Entity : null;
    }

    private ApiKey? Fresh(string id) =>
        _keys.TryGetValue(id, out var known) && known.ReadAt + CacheFor > _clock.GetUtcNow() ? known.Key : null;

    private void Remember(ApiKey key)
    {
        var now = _clock.GetUtcNow();
        if (_keys.Count >= MaxCachedKeys && !_keys.ContainsKey(key.Id))
        {
            foreach (var (id, known) in _keys)
                if (known.ReadAt + ForgetAfter < now)
                    _keys.TryRemove(id, out _);
            if (_keys.Count >= MaxCachedKeys)
                return; // Full of keys in use: this one is looked up each time instead.
        }
        _keys[key.Id] = new KnownKey(key, now);
    }

    /// <summary>Whether a live key has this id, as of the last read of the ids (a key made since may not be in it yet).</summary>
    private bool IsLiveKeyId(string id)
    {
        var known = _keyIds;
        if (known.ReadAt + KeyIdsFor < _clock.GetUtcNow() && Interlocked.Exchange(ref _refreshingKeyIds, 1) == 0)
            _ = RefreshKeyIdsAsync();
        return known.Ids.Contains(id);
    }

    private async Task RefreshKeyIdsAsync()
    {
        try
        {
            await using var session = _store.QuerySession();
            var ids = await session.Query<ApiKey>().Where(key => key.RevokedAt == null).Select(key => key.Id).ToListAsync();
            _keyIds = new KeyIds(ids.ToFrozenSet(StringComparer.Ordinal), _clock.GetUtcNow());
        }
        catch (Exception e) when (e is Npgsql.NpgsqlException or TimeoutException)
        {
            // The database is away: the ids read last stand, and the next check tries again.
        }
        finally
        {
            Volatile.Write(ref _refreshingKeyIds, 0);
        }
    }

    /// <summary>
    /// The partition of a client's failed lookups: its IPv4 address, or the /64 of an IPv6 one (a host
    /// usually holds a whole /64, and must not get a fresh budget per address).
    /// </summary>
    public static string ClientOf(IPAddress? address)
    {
        if (address is null)
            return "unknown";
        if (address.IsIPv4MappedToIPv6)
            address = address.MapToIPv4();
        if (address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6)
            return address.ToString();
        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes) + "/64";
    }
}
