using Grpc.Core;
using Marten;
using Microsoft.Extensions.Options;
using Runstream.Blobs;
using Runstream.Contracts.V1;
using Runstream.Ingest.Security;
using Runstream.Store.Content;

namespace Runstream.Ingest.Content;

/// <summary>
/// Artifact file content, stored by its SHA-256 before the frame that names it is sent. The blob
/// store is shared between entities, so what an entity may name is what it uploaded itself
/// (<see cref="StoredContent"/>): content another entity holds is "missing" for it, and uploading the
/// same bytes again costs a write of identical content, not a read of anyone's.
/// </summary>
public sealed class ArtifactContent(IBlobStore blobs, IDocumentStore store, EntityRateLimits limits, IOptions<IngestOptions> options, IOptions<StorageQuotaOptions> quotas)
{
    /// <summary>Digests one FindMissingContent call may ask about.</summary>
    public const int MaxDigestsPerCall = 10_000;

    public async Task<FindMissingContentResponse> FindMissingAsync(string entity, FindMissingContentRequest request, CancellationToken cancellation)
    {
        if (request.Digests.Count > MaxDigestsPerCall)
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"digests: {request.Digests.Count:N0} digests; ask about at most {MaxDigestsPerCall:N0} per call."));
        var digests = request.Digests.Select(d => Parse(d, "digests")).ToList();
        var held = await HeldAsync(entity, digests.Select(d => d.Hex), cancellation);
        var response = new FindMissingContentResponse();
        foreach (var digest in digests)
            if (!held.Contains(digest.Hex) || !await blobs.ExistsAsync(digest, cancellation))
                response.Missing.Add(digest.Hex);
        return response;
    }

    /// <summary>
    /// Which of <paramref name="digests"/> the entity uploaded, and may therefore name in an artifact. Asking
    /// means the content is about to be named, so the blob collector leaves it alone for a while longer.
    /// </summary>
    public async Task<HashSet<string>> HeldAsync(string entity, IEnumerable<string> digests, CancellationToken cancellation)
    {
        var keys = digests.Distinct().Select(d => StoredContent.KeyOf(entity, d)).ToArray();
        if (keys.Length == 0)
            return [];
        await using var session = store.LightweightSession();
        var claims = await session.LoadManyAsync<StoredContent>(cancellation, keys);
        if (claims.Count > 0)
        {
            var now = DateTimeOffset.UtcNow;
            foreach (var claim in claims)
                claim.LastUsedAt = now;
            session.Store(claims.ToArray());
            await session.SaveChangesAsync(cancellation);
        }
        return claims.Select(c => c.Digest).ToHashSet();
    }

    public async Task<ContentStored> UploadAsync(string entity, IAsyncStreamReader<ContentChunk> chunks, CancellationToken cancellation)
    {
        if (!await chunks.MoveNext(cancellation))
            throw new RpcException(new Status(StatusCode.InvalidArgument, "digest: the upload is empty; the first chunk names the content's SHA-256."));
        var digest = Parse(chunks.Current.Digest, "digest");
        var (used, quota) = await UsageAsync(entity, digest, cancellation);
        if (quota > 0 && used >= quota)
            throw QuotaExceeded(entity, used, quota);
        var room = quota > 0 ? quota - used : long.MaxValue;
        try
        {
            var size = await blobs.WriteAsync(digest, new ChunkStream(chunks, chunks.Current.Data.Memory, Count), cancellation);
            await using var session = store.LightweightSession();
            var now = DateTimeOffset.UtcNow;
            session.Store(new StoredContent { Id = StoredContent.KeyOf(entity, digest.Hex), Entity = entity, Digest = digest.Hex, Size = size, UploadedAt = now, LastUsedAt = now });
            await session.SaveChangesAsync(cancellation);
            return new ContentStored { Digest = digest.Hex, Size = size };
        }
        catch (DigestMismatchException e)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"digest: {e.Message}"));
        }

        // Each chunk as it arrives: over a limit the upload ends there (its partial file is removed).
        async ValueTask Count(long total, int chunk)
        {
            if (total > options.Value.MaxUploadBytes)
                throw new RpcException(new Status(StatusCode.InvalidArgument, $"content: larger than {options.Value.MaxUploadBytes:N0} bytes, the limit of one upload (Ingest:MaxUploadBytes)."));
            if (total > room)
                throw QuotaExceeded(entity, used, quota);
            await limits.ThrottleBytesAsync(entity, chunk, cancellation);
        }
    }

    /// <summary>
    /// The bytes the entity stores and its quota (0: none). Content it already holds under this digest is
    /// not counted, so uploading it again costs nothing.
    /// </summary>
    private async Task<(long Used, long Quota)> UsageAsync(string entity, ContentDigest digest, CancellationToken cancellation)
    {
        var quota = quotas.Value.QuotaOf(entity);
        if (quota <= 0)
            return (0, 0);
        var key = StoredContent.KeyOf(entity, digest.Hex);
        await using var session = store.QuerySession();
        return (await session.Query<StoredContent>().Where(c => c.Entity == entity && c.Id != key).SumAsync(c => c.Size, cancellation), quota);
    }

    private static RpcException QuotaExceeded(string entity, long used, long quota) => new(new Status(StatusCode.ResourceExhausted,
        $"Entity '{entity}' stores {used:N0} bytes of its storage quota of {quota:N0} bytes (Ingest:Quotas); this content does not fit. Delete artifacts or ask for a larger quota."));

    private static ContentDigest Parse(string value, string field) =>
        ContentDigest.TryParse(value, out var digest)
            ? digest.Value
            : throw new RpcException(new Status(StatusCode.InvalidArgument, $"{field}: '{value}' is not a SHA-256 as 64 lowercase hex characters."));

    /// <summary>
    /// The chunks of an upload read as one stream, so the blob store can hash and write it as it comes;
    /// <c>onRead(total, chunk)</c> sees every chunk first (limits, throttling) and may end the upload.
    /// </summary>
    private sealed class ChunkStream(IAsyncStreamReader<ContentChunk> chunks, ReadOnlyMemory<byte> first, Func<long, int, ValueTask> onRead) : Stream
    {
        private ReadOnlyMemory<byte> _current = first;
        private long _total;
        private bool _firstCounted;

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (!_firstCounted)
            {
                _firstCounted = true;
                await onRead(_total += _current.Length, _current.Length);
            }
            while (_current.IsEmpty)
            {
                if (!await chunks.MoveNext(cancellationToken))
                    return 0;
                _current = chunks.Current.Data.Memory;
                await onRead(_total += _current.Length, _current.Length);
            }
            var count = Math.Min(buffer.Length, _current.Length);
            _current[..count].CopyTo(buffer);
            _current = _current[count..];
            return count;
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("Read asynchronously.");
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
