using Runstream.Blobs;

namespace Runstream.UnitTests;

public sealed class BlobStoreTests : IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("runstream-blobs-");

    [Fact]
    public async Task Content_is_stored_under_its_digest_and_read_back()
    {
        var store = new FileSystemBlobStore(_root.FullName);
        var bytes = "hello"u8.ToArray();
        var digest = ContentDigest.FromHash(System.Security.Cryptography.SHA256.HashData(bytes));

        Assert.False(await store.ExistsAsync(digest, default));
        Assert.Equal(5, await store.WriteAsync(digest, new MemoryStream(bytes), default));
        Assert.True(await store.ExistsAsync(digest, default));
        using var read = new StreamReader(store.OpenRead(digest)!);
        Assert.Equal("hello", await read.ReadToEndAsync());
    }

    [Fact]
    public async Task Content_that_does_not_match_its_digest_is_refused_and_not_kept()
    {
        var store = new FileSystemBlobStore(_root.FullName);
        var digest = ContentDigest.FromHash(System.Security.Cryptography.SHA256.HashData("expected"u8.ToArray()));

        await Assert.ThrowsAsync<DigestMismatchException>(() => store.WriteAsync(digest, new MemoryStream("other"u8.ToArray()), default));
        Assert.False(await store.ExistsAsync(digest, default));
        Assert.Empty(_root.EnumerateFiles("*", SearchOption.AllDirectories));
    }

    [Theory]
    [InlineData("../../../../etc/passwd")]
    [InlineData("ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789")]
    [InlineData("abc")]
    [InlineData(null)]
    public void Only_lowercase_sha256_hex_is_a_digest(string? value) => Assert.False(ContentDigest.TryParse(value, out _));

    public void Dispose() => _root.Delete(recursive: true);
}
