using Grpc.Core;
using Runstream.Blobs;
using Runstream.Contracts.V1;

namespace Runstream.Ingest.Content;

/// <summary>Artifact file content, stored by its SHA-256 before the frame that names it is sent.</summary>
public sealed class ArtifactContent(IBlobStore blobs)
{
    public async Task<FindMissingContentResponse> FindMissingAsync(FindMissingContentRequest request, CancellationToken cancellation)
    {
        var response = new FindMissingContentResponse();
        foreach (var digest in request.Digests)
            if (!await blobs.ExistsAsync(Parse(digest, "digests"), cancellation))
                response.Missing.Add(digest);
        return response;
    }

    public async Task<ContentStored> UploadAsync(IAsyncStreamReader<ContentChunk> chunks, CancellationToken cancellation)
    {
        if (!await chunks.MoveNext(cancellation))
            throw new RpcException(new Status(StatusCode.InvalidArgument, "digest: the upload is empty; the first chunk names the content's SHA-256."));
        var digest = Parse(chunks.Current.Digest, "digest");
        try
        {
            var size = await blobs.WriteAsync(digest, new ChunkStream(chunks, chunks.Current.Data.Memory), cancellation);
            return new ContentStored { Digest = digest.Hex, Size = size };
        }
        catch (DigestMismatchException e)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"digest: {e.Message}"));
        }
    }

    private static ContentDigest Parse(string value, string field) =>
        ContentDigest.TryParse(value, out var digest)
            ? digest.Value
            : throw new RpcException(new Status(StatusCode.InvalidArgument, $"{field}: '{value}' is not a SHA-256 as 64 lowercase hex characters."));

    /// <summary>The chunks of an upload read as one stream, so the blob store can hash and write it as it comes.</summary>
    private sealed class ChunkStream(IAsyncStreamReader<ContentChunk> chunks, ReadOnlyMemory<byte> first) : Stream
    {
        private ReadOnlyMemory<byte> _current = first;

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            while (_current.IsEmpty)
            {
                if (!await chunks.MoveNext(cancellationToken))
                    return 0;
                _current = chunks.Current.Data.Memory;
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
