namespace Runstream.Blobs;

/// <summary>
/// Content-addressed storage of artifact files: a blob's name is the SHA-256 of its content,
/// so identical files are stored once and a stored blob never changes.
/// </summary>
public interface IBlobStore
{
    Task<bool> ExistsAsync(ContentDigest digest, CancellationToken cancellation);

    /// <summary>Stores the content if its SHA-256 is <paramref name="digest"/>; otherwise throws <see cref="DigestMismatchException"/>.</summary>
    Task<long> WriteAsync(ContentDigest digest, Stream content, CancellationToken cancellation);

    /// <summary>The content, or null when no blob has that digest.</summary>
    Stream? OpenRead(ContentDigest digest);

    /// <summary>Every stored blob and when it was written.</summary>
    IEnumerable<(ContentDigest Digest, DateTimeOffset WrittenAt)> List();

    /// <summary>When the blob was last written, or null when there is none.</summary>
    DateTimeOffset? WrittenAt(ContentDigest digest);

    /// <summary>Removes a blob (gone already is fine).</summary>
    void Delete(ContentDigest digest);
}

public sealed class DigestMismatchException(ContentDigest expected, string actual)
    : Exception($"The content's SHA-256 is {actual}, not {expected}.");
