using Google.Protobuf;
using Runstream.Contracts.V1;

namespace Runstream.Client.Uplink;

/// <summary>
/// Artifact file content goes to Ingest before the frame that names it: only files the blob store
/// lacks are uploaded. Offline, the content waits in the run's spool (<c>content/&lt;sha256&gt;</c>,
/// the layout the Python SDK uses too) until the run is synced.
/// </summary>
internal static class ArtifactContentUpload
{
    private const int ChunkBytes = 1 << 20;
    public const string StashFolder = "content";

    public static Task UploadMissingAsync(IngestConnection ingest, IReadOnlyCollection<(string Digest, string LocalPath)> files, CancellationToken cancellation) =>
        UploadMissingAsync(ingest, [.. files.Select(f => (f.Digest, (Func<Stream>)(() => File.OpenRead(f.LocalPath))))], cancellation);

    /// <summary>Uploads the contents the blob store lacks, each opened only when it is sent.</summary>
    public static async Task UploadMissingAsync(IngestConnection ingest, IReadOnlyCollection<(string Digest, Func<Stream> Open)> files, CancellationToken cancellation)
    {
        if (files.Count == 0)
            return;
        var request = new FindMissingContentRequest { Digests = { files.Select(f => f.Digest).Distinct() } };
        var missing = (await ingest.Client.FindMissingContentAsync(request, ingest.Headers, cancellationToken: cancellation)).Missing.ToHashSet();
        foreach (var (digest, open) in files.Where(f => missing.Remove(f.Digest)))
        {
            using var upload = ingest.Client.UploadContent(ingest.Headers, cancellationToken: cancellation);
            await using var content = open();
            var buffer = new byte[ChunkBytes];
            var first = true;
            int read;
            while ((read = await content.ReadAsync(buffer, cancellation)) > 0 || first)
            {
                await upload.RequestStream.WriteAsync(new ContentChunk { Digest = first ? digest : "", Data = ByteString.CopyFrom(buffer, 0, read) }, cancellation);
                first = false;
            }
            await upload.RequestStream.CompleteAsync();
            await upload.ResponseAsync;
        }
    }

    /// <summary>Keeps a copy of each file in the spool, named by its digest, for a later sync.</summary>
    public static void Stash(string spoolDirectory, IEnumerable<(string Digest, string LocalPath)> files) =>
        Stash(spoolDirectory, files.Select(f => (f.Digest, (Action<string>)(partial => File.Copy(f.LocalPath, partial, overwrite: true)))));

    /// <summary>Keeps files in the spool by digest, each written by <c>write(path)</c>.</summary>
    public static void Stash(string spoolDirectory, IEnumerable<(string Digest, Action<string> Write)> files)
    {
        var folder = Directory.CreateDirectory(Path.Combine(spoolDirectory, StashFolder)).FullName;
        foreach (var (digest, write) in files)
        {
            var target = Path.Combine(folder, digest);
            if (File.Exists(target))
                continue;
            // Written under a temporary name and renamed: a stashed file is always whole.
            var partial = target + ".partial";
            write(partial);
            File.Move(partial, target, overwrite: true);
        }
    }

    /// <summary>Uploads what an offline run stashed, then lets it go; called before the run's frames are sent.</summary>
    public static async Task UploadStashedAsync(IngestConnection ingest, string spoolDirectory, CancellationToken cancellation)
    {
        var folder = Path.Combine(spoolDirectory, StashFolder);
        if (!Directory.Exists(folder))
            return;
        var stashed = Directory.EnumerateFiles(folder)
            .Select(path => (Digest: Path.GetFileName(path), LocalPath: path))
            .Where(file => file.Digest.Length == 64 && file.Digest.All(char.IsAsciiHexDigitLower))
            .ToList();
        await UploadMissingAsync(ingest, stashed, cancellation);
        foreach (var (_, path) in stashed)
            File.Delete(path);
    }
}
