using System.Security.Cryptography;
using System.Text;

namespace Runstream.Client.Artifacts;

internal sealed record ManifestFile(string Path, string LocalPath, string Digest, long Size);

/// <summary>
/// The files of an artifact with their SHA-256 digests. The artifact's digest is the SHA-256 of
/// the sorted manifest, so the same files with the same content always give the same digest.
/// </summary>
internal sealed record LocalArtifact(string Digest, long Size, IReadOnlyList<ManifestFile> Files)
{
    public static async Task<LocalArtifact> BuildAsync(string path, CancellationToken cancellation)
    {
        var full = System.IO.Path.GetFullPath(path);
        IEnumerable<(string Relative, string Local)> files;
        if (File.Exists(full))
            files = [(System.IO.Path.GetFileName(full), full)];
        else if (Directory.Exists(full))
            files = Directory.EnumerateFiles(full, "*", SearchOption.AllDirectories)
                .Select(local => (System.IO.Path.GetRelativePath(full, local).Replace('\\', '/'), local));
        else
            throw new FileNotFoundException($"No file or directory at '{path}' to log as an artifact.", path);

        var entries = new List<ManifestFile>();
        foreach (var (relative, local) in files.OrderBy(f => f.Relative, StringComparer.Ordinal))
        {
            await using var stream = File.OpenRead(local);
            var hash = await SHA256.HashDataAsync(stream, cancellation);
            entries.Add(new ManifestFile(relative, local, Convert.ToHexStringLower(hash), stream.Length));
        }
        if (entries.Count == 0)
            throw new ArgumentException($"The directory '{path}' holds no files to log as an artifact.", nameof(path));

        var manifest = new StringBuilder();
        foreach (var entry in entries)
            manifest.Append(entry.Path).Append('\t').Append(entry.Digest).Append('\t').Append(entry.Size).Append('\n');
        var digest = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(manifest.ToString())));
        return new LocalArtifact(digest, entries.Sum(e => e.Size), entries);
    }
}
