using Grpc.Core;
using Marten;
using SessionOptions = Marten.Services.SessionOptions;
using Microsoft.Extensions.Options;
using Npgsql;
using Runstream.Store.Content;
using StoreOptions = Runstream.Store.StoreOptions;

namespace Runstream.Ingest.Content;

/// <summary>
/// The entities' claims on stored content (<see cref="StoredContent"/>), in PostgreSQL so every Ingest
/// instance agrees on who may name what, and on how much each entity stores.
/// </summary>
public sealed class ContentClaims(IDocumentStore store, NpgsqlDataSource database, StoreOptions schema, IOptions<StorageQuotaOptions> quotas)
{
    /// <summary>A claim is marked as used at most this often, so asking about content rarely writes.</summary>
    private static readonly TimeSpan MarkEvery = TimeSpan.FromHours(1);

    private string Table => $"{schema.Schema}.mt_doc_storedcontent";

    /// <summary>
    /// Which of <paramref name="digests"/> the entity holds. Asking means the content is about to be
    /// named, so the claims are marked as used (an update only: a claim the collector removed meanwhile
    /// is not brought back).
    /// </summary>
    public async Task<HashSet<string>> HeldAsync(string entity, IEnumerable<string> digests, CancellationToken cancellation)
    {
        var ids = digests.Distinct().Select(d => StoredContent.KeyOf(entity, d)).ToArray();
        if (ids.Length == 0)
            return [];
        var now = DateTimeOffset.UtcNow;
        await using var connection = await database.OpenConnectionAsync(cancellation);
        await using (var mark = new NpgsqlCommand($"""
            update {Table} set data = jsonb_set(data, array['lastUsedAt'], to_jsonb($1))
            where id = any($2) and (data ->> 'lastUsedAt')::timestamptz < $3
            """, connection) { Parameters = { new() { Value = now }, new() { Value = ids }, new() { Value = now - MarkEvery } } })
            await mark.ExecuteNonQueryAsync(cancellation);
        await using var read = new NpgsqlCommand($"select data ->> 'digest' from {Table} where id = any($1)", connection) { Parameters = { new() { Value = ids } } };
        await using var reader = await read.ExecuteReaderAsync(cancellation);
        var held = new HashSet<string>(StringComparer.Ordinal);
        while (await reader.ReadAsync(cancellation))
            held.Add(reader.GetString(0));
        return held;
    }

    /// <summary>The bytes the entity holds, leaving out <paramref name="digest"/> (content it holds already is not counted twice), and its quota (0: none).</summary>
    public async Task<(long Used, long Quota)> UsageAsync(string entity, string digest, CancellationToken cancellation)
    {
        var quota = quotas.Value.QuotaOf(entity);
        if (quota <= 0)
            return (0, 0);
        await using var connection = await database.OpenConnectionAsync(cancellation);
        return (await UsedAsync(connection, entity, digest, cancellation), quota);
    }

    /// <summary>
    /// Records that the entity holds the content, if its quota has room: under a per-entity lock, so
    /// uploads that finish at once on any instance cannot together pass the quota.
    /// </summary>
    public async Task RecordAsync(string entity, string digest, long size, CancellationToken cancellation)
    {
        await using var connection = await database.OpenConnectionAsync(cancellation);
        await using var transaction = await connection.BeginTransactionAsync(cancellation);
        var quota = quotas.Value.QuotaOf(entity);
        if (quota > 0)
        {
            await using (var lockEntity = new NpgsqlCommand("select pg_advisory_xact_lock(hashtextextended('runstream.quota/' || $1, 0))", connection, transaction) { Parameters = { new() { Value = entity } } })
                await lockEntity.ExecuteNonQueryAsync(cancellation);
            var used = await UsedAsync(connection, entity, digest, cancellation, transaction);
            if (used + size > quota)
                throw QuotaExceeded(entity, used, quota);
        }
        await using (var session = store.LightweightSession(SessionOptions.ForTransaction(transaction)))
        {
            var now = DateTimeOffset.UtcNow;
            session.Store(new StoredContent { Id = StoredContent.KeyOf(entity, digest), Entity = entity, Digest = digest, Size = size, UploadedAt = now, LastUsedAt = now });
            await session.SaveChangesAsync(cancellation);
        }
        await transaction.CommitAsync(cancellation);
    }

    public static RpcException QuotaExceeded(string entity, long used, long quota) => new(new Status(StatusCode.ResourceExhausted,
        $"Entity '{entity}' stores {used:N0} bytes of its storage quota of {quota:N0} bytes (Ingest:Quotas); this content does not fit. Delete artifacts or ask for a larger quota."));

    private async Task<long> UsedAsync(NpgsqlConnection connection, string entity, string digest, CancellationToken cancellation, NpgsqlTransaction? transaction = null)
    {
        await using var sum = new NpgsqlCommand($"select coalesce(sum((data ->> 'size')::bigint), 0)::bigint from {Table} where data ->> 'entity' = $1 and id <> $2", connection, transaction)
        {
            Parameters = { new() { Value = entity }, new() { Value = StoredContent.KeyOf(entity, digest) } },
        };
        return (long)(await sum.ExecuteScalarAsync(cancellation))!;
    }
}
