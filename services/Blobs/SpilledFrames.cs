using System.Security.Cryptography;

namespace Runstream.Blobs;

/// <summary>
/// Large frame payloads kept on the shared blob volume (<c>Blobs:Root/frames</c>) instead of in the
/// broker's messages (the claim-check pattern): Ingest writes and syncs one before it sends the
/// frame, Projections reads it when it applies the frame and deletes it after. The queue then holds
/// small messages only, and a consumer's prefetch of hundreds of them costs little memory however
/// large the frames. Apart from artifact blobs, so deleting a frame never touches an artifact's file.
/// </summary>
public sealed class SpilledFrames(string root)
{
    private readonly FileSystemBlobStore _files = new(root);

    /// <summary>Writes the payload durably; returns its digest, which names it.</summary>
    public async Task<string> WriteAsync(byte[] payload, CancellationToken cancellation)
    {
        var digest = ContentDigest.FromHash(SHA256.HashData(payload));
        await _files.WriteAsync(digest, new MemoryStream(payload, writable: false), cancellation);
        return digest.Hex;
    }

    /// <summary>The payload, or null when no frame of that digest is kept.</summary>
    public async Task<byte[]?> ReadAsync(string digest, CancellationToken cancellation)
    {
        if (!ContentDigest.TryParse(digest, out var parsed))
            return null;
        await using var file = _files.OpenRead(parsed.Value);
        if (file is null)
            return null;
        var payload = new byte[file.Length];
        await file.ReadExactlyAsync(payload, cancellation);
        return payload;
    }

    public void Delete(string digest)
    {
        if (ContentDigest.TryParse(digest, out var parsed))
            _files.Delete(parsed.Value);
    }
}
