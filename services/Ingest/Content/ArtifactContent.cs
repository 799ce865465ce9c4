using Grpc.Core;
using Microsoft.Extensions.Options;
using Runstream.Blobs;
using Runstream.Contracts.V1;
using Runstream.Ingest.Security;

namespace Runstream.Ingest.Content;

/// <summary>
/// Artifact file content, stored by its SHA-256 before the frame that names it is sent. The blob
/// store is shared between entities, so what an entity may name is what it uploaded itself
/// (<see cref="Store.Content.StoredContent"/>): content another entity holds is "missing" for it, and uploading the
/// same bytes again costs a write of identical content, not a read of anyone's.
/// </summary>
public sealed class ArtifactContent(IBlobStore blobs, ContentClaims claims, EntityRateLimits limits, IOptions<IngestOptions> options)
{
    /// <summary>Digests one FindMissingContent call may ask about.</summary>
    public const int MaxDigestsPerCall = 10_000;

    public async Task<FindMissingContentResponse> FindMissingAsync(string entity, FindMissingContentRequest request, CancellationToken cancellation)
    {
        if (request.Digests.Count > MaxDigestsPerCall)
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"digests: {request.Digests.Count:N0} digests; ask about at most {MaxDigestsPerCall:N0} per call."));
        var digests = request.Digests.Select(d => Parse(d, "digests").Hex).ToList();
        var held = await HeldAsync(entity, digests, cancellation);
        var response = new FindMissingContentResponse();
        response.Missing.AddRange(digests.Where(d => !held.Contains(d)));
        return response;
    }

    /// <summary>Which of <paramref name="digests"/> the entity uploaded and the blob store has: what it may name in an artifact.</summary>
    public async Task<HashSet<string>> HeldAsync(string entity, IEnumerable<string> digests, CancellationToken cancellation)
    {
        var held = await claims.HeldAsync(entity, digests, cancellation);
        foreach (var digest in held.ToList())
            if (!ContentDigest.TryParse(digest, out var parsed) || !await blobs.ExistsAsync(parsed.Value, cancellation))
                held.Remove(digest);
        return held;
    }

    public async Task<ContentStored> UploadAsync(string entity, IAsyncStreamReader<ContentChunk> chunks, CancellationToken cancellation)
    {
        if (!await chunks.MoveNext(cancellation))
            throw new RpcException(new Status(StatusCode.InvalidArgument, "digest: the upload is empty; the first chunk names the content's SHA-256."));
        var digest = Parse(chunks.Current.Digest, "digest");
        var (used, quota) = await claims.UsageAsync(entity, digest.Hex, cancellation);
        if (quota > 0 && used >= quota)
            throw ContentClaims.QuotaExceeded(entity, used, quota);
        var room = quota > 0 ? quota - used : long.MaxValue;
        try
        {
            var size = await blobs.WriteAsync(digest, new ChunkStream(chunks, chunks.Current.Data.Memory, Count), cancellation);
            // Checked again as the claim is recorded: uploads finishing at once must not pass the quota together.
            await claims.RecordAsync(entity, digest.Hex, size, cancellation);
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
                throw ContentClaims.QuotaExceeded(entity, used, quota);
            await limits.ThrottleBytesAsync(entity, chunk, cancellation);
        }
    }

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
