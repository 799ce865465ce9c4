using Grpc.Core;
using Marten;
using Runstream.Blobs;
using Runstream.Contracts.V1;
using Runstream.Ingest.Frames;
using Runstream.Store.Artifacts;

namespace Runstream.Ingest.Content;

/// <summary>Serves a run that uses an artifact: the version's manifest, then its files' content.</summary>
public sealed class ArtifactReader(IQuerySession session, IBlobStore blobs)
{
    private const int ChunkBytes = 256 * 1024;

    public async Task<ArtifactManifest> GetAsync(string entity, ArtifactRef reference, CancellationToken cancellation)
    {
        var (collection, version) = await FindAsync(entity, reference, cancellation);
        var manifest = new ArtifactManifest
        {
            Name = collection.Name, Type = collection.Type, Version = version.Version,
            Digest = version.Digest, Size = version.Size,
        };
        manifest.Files.AddRange(version.Files.Select(f => new ArtifactFile { Path = f.Path, Digest = f.Digest, Size = f.Size }));
        manifest.Aliases.AddRange(version.Aliases);
        return manifest;
    }

    /// <summary>
    /// Only files listed by a version of the caller's own artifacts: the blob store is shared and
    /// content-addressed, and a digest alone must not open another entity's content.
    /// </summary>
    public async Task DownloadAsync(string entity, ArtifactFileRef file, IServerStreamWriter<ContentChunk> chunks, CancellationToken cancellation)
    {
        if (file.Artifact is null)
            throw Invalid("artifact: name the artifact (project, name, version) the file belongs to.");
        var (_, version) = await FindAsync(entity, file.Artifact, cancellation);
        var entry = version.Files.FirstOrDefault(f => f.Path == file.Path)
            ?? throw new RpcException(new Status(StatusCode.NotFound, $"path: {file.Artifact.Name}:{version.Version} has no file '{file.Path}'."));
        await using var content = ContentDigest.TryParse(entry.Digest, out var digest) ? blobs.OpenRead(digest.Value) : null;
        if (content is null)
            throw new RpcException(new Status(StatusCode.NotFound, $"path: the content of '{file.Path}' is missing from the blob store."));

        var buffer = new byte[ChunkBytes];
        var first = true;
        int read;
        while ((read = await content.ReadAsync(buffer, cancellation)) > 0 || first)
        {
            await chunks.WriteAsync(new ContentChunk { Digest = first ? entry.Digest : "", Data = Google.Protobuf.ByteString.CopyFrom(buffer, 0, read) }, cancellation);
            first = false;
        }
    }

    private async Task<(ArtifactCollection, ArtifactVersion)> FindAsync(string entity, ArtifactRef reference, CancellationToken cancellation)
    {
        if ((FrameValidator.ValidateName("project", reference.Project) ?? FrameValidator.ValidateName("name", reference.Name)
             ?? FrameValidator.ValidateName("version", reference.Version)) is { } problem)
            throw Invalid(problem.Message);
        var collection = await session.LoadAsync<ArtifactCollection>(ArtifactCollection.KeyOf(entity, reference.Project, reference.Name), cancellation)
            ?? throw new RpcException(new Status(StatusCode.NotFound, $"name: project '{reference.Project}' has no artifact '{reference.Name}'."));
        var version = collection.Find(reference.Version)
            ?? throw new RpcException(new Status(StatusCode.NotFound, $"version: artifact '{reference.Name}' has no version or alias '{reference.Version}'."));
        return (collection, version);
    }

    private static RpcException Invalid(string message) => new(new Status(StatusCode.InvalidArgument, message));
}
