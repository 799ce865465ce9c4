using Grpc.Core;
using Microsoft.Extensions.Options;
using Runstream.Contracts.V1;
using Runstream.Ingest.Content;
using Runstream.Ingest.Frames;
using Runstream.Ingest.Runs;
using Runstream.Ingest.Security;

namespace Runstream.Ingest;

/// <summary>The gRPC surface; each RPC's work lives in its feature folder.</summary>
public sealed class IngestService(FrameSender sender, ArtifactContent content, MediaContent media, ArtifactReader artifacts, RunProgressLookup runs, EntityRateLimits limits,
    IOptions<IngestOptions> options, ILogger<IngestService> logger) : Contracts.V1.Ingest.IngestBase
{
    public override Task StreamFrames(IAsyncStreamReader<RunFrame> requestStream, IServerStreamWriter<IngestReply> responseStream, ServerCallContext context) =>
        new FrameStream(sender, content, media, options, limits, ApiKeyInterceptor.EntityOf(context), logger).RunAsync(requestStream, responseStream, context.CancellationToken);

    public override Task<RunProgress> GetRun(RunRef request, ServerCallContext context)
    {
        if ((FrameValidator.ValidateName("project", request.Project) ?? FrameValidator.ValidateName("run_id", request.RunId)) is { } problem)
            throw new RpcException(new Status(StatusCode.InvalidArgument, problem.Message));
        return runs.GetAsync(ApiKeyInterceptor.EntityOf(context), request, context.CancellationToken);
    }

    public override Task<FindMissingContentResponse> FindMissingContent(FindMissingContentRequest request, ServerCallContext context) =>
        content.FindMissingAsync(ApiKeyInterceptor.EntityOf(context), request, context.CancellationToken);

    public override Task<ContentStored> UploadContent(IAsyncStreamReader<ContentChunk> requestStream, ServerCallContext context) =>
        content.UploadAsync(ApiKeyInterceptor.EntityOf(context), requestStream, context.CancellationToken);

    public override Task<ArtifactManifest> GetArtifact(ArtifactRef request, ServerCallContext context) =>
        artifacts.GetAsync(ApiKeyInterceptor.EntityOf(context), request, context.CancellationToken);

    public override Task DownloadContent(ArtifactFileRef request, IServerStreamWriter<ContentChunk> responseStream, ServerCallContext context) =>
        artifacts.DownloadAsync(ApiKeyInterceptor.EntityOf(context), request, responseStream, context.CancellationToken);
}
