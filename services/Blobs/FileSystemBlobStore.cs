using System.Security.Cryptography;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Runstream.Blobs;

/// <summary>Blobs as files under a root folder, fanned out by the first two bytes of the digest.</summary>
public sealed class FileSystemBlobStore(string root) : IBlobStore
{
    public Task<bool> ExistsAsync(ContentDigest digest, CancellationToken cancellation) =>
        Task.FromResult(File.Exists(PathOf(digest)));

    public async Task<long> WriteAsync(ContentDigest digest, Stream content, CancellationToken cancellation)
    {
        var path = PathOf(digest);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temporary = $"{path}.{Guid.NewGuid():N}.partial";
        try
        {
            long size;
            await using (var file = File.Create(temporary))
            using (var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
            {
                var buffer = new byte[81920];
                int read;
                while ((read = await content.ReadAsync(buffer, cancellation)) > 0)
                {
                    hash.AppendData(buffer, 0, read);
                    await file.WriteAsync(buffer.AsMemory(0, read), cancellation);
                }
                size = file.Length;
                var actual = Convert.ToHexStringLower(hash.GetHashAndReset());
                if (actual != digest.Hex)
                    throw new DigestMismatchException(digest, actual);
                await file.FlushAsync(cancellation);
                file.Flush(flushToDisk: true);
            }
            // Same digest, same bytes: whoever renames last replaces identical content.
            File.Move(temporary, path, overwrite: true);
            return size;
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    public Stream? OpenRead(ContentDigest digest)
    {
        var path = PathOf(digest);
        return File.Exists(path) ? File.OpenRead(path) : null;
    }

    public IEnumerable<(ContentDigest Digest, DateTimeOffset WrittenAt)> List()
    {
        if (!Directory.Exists(root))
            yield break;
        // Blobs only: ab/cd/<sha256>; partial writes and other folders (frames/) are not blobs.
        foreach (var path in Directory.EnumerateFiles(root, "*", new EnumerationOptions { RecurseSubdirectories = true, MaxRecursionDepth = 2 }))
            if (ContentDigest.TryParse(Path.GetFileName(path), out var digest) && path == PathOf(digest.Value))
                yield return (digest.Value, File.GetLastWriteTimeUtc(path));
    }

    public DateTimeOffset? WrittenAt(ContentDigest digest) =>
        File.Exists(PathOf(digest)) ? File.GetLastWriteTimeUtc(PathOf(digest)) : null;

    public void Delete(ContentDigest digest) => File.Delete(PathOf(digest));

    private string PathOf(ContentDigest digest) => Path.Combine(root, digest.Hex[..2], digest.Hex[2..4], digest.Hex);
}

public static class BlobStoreRegistration
{
    /// <summary>The blob store at <c>Blobs:Root</c> (default <c>.platform/blobs</c> under the working folder).</summary>
    public static IHostApplicationBuilder AddBlobStore(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<IBlobStore>(new FileSystemBlobStore(RootOf(builder)));
        return builder;
    }

    /// <summary>Large frame payloads on the same volume, under <c>frames/</c> (<see cref="SpilledFrames"/>).</summary>
    public static IHostApplicationBuilder AddSpilledFrames(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton(new SpilledFrames(Path.Combine(RootOf(builder), "frames")));
        return builder;
    }

    private static string RootOf(IHostApplicationBuilder builder) =>
        Path.GetFullPath(builder.Configuration["Blobs:Root"] ?? Path.Combine(".platform", "blobs"));
}
