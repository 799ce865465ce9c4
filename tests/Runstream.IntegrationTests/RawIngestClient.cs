using Grpc.Core;
using Grpc.Net.Client;
using Runstream.Contracts.V1;

namespace Runstream.IntegrationTests;

/// <summary>Speaks the ingest protocol frame by frame, for tests of what the SDK never sends.</summary>
public sealed class RawIngestClient(string url, string? apiKey) : IDisposable
{
    private readonly GrpcChannel _channel = GrpcChannel.ForAddress(url);
    private readonly Metadata _headers = apiKey is null ? [] : [new Metadata.Entry("authorization", $"Bearer {apiKey}")];

    /// <summary>
    /// Sends the frames on one stream, closes it, and returns every reply. A stream the server ends early
    /// (a rate limit) throws the server's status, not the error of a write that came after it.
    /// </summary>
    public async Task<List<IngestReply>> SendAsync(params RunFrame[] frames)
    {
        using var call = new Ingest.IngestClient(_channel).StreamFrames(_headers);
        Exception? writeFailure = null;
        try
        {
            foreach (var frame in frames)
                await call.RequestStream.WriteAsync(frame);
            await call.RequestStream.CompleteAsync();
        }
        catch (Exception e) when (e is RpcException or InvalidOperationException or IOException)
        {
            writeFailure = e;
        }
        var replies = new List<IngestReply>();
        await foreach (var reply in call.ResponseStream.ReadAllAsync())
            replies.Add(reply);
        return writeFailure is null ? replies : throw writeFailure;
    }

    /// <summary>Uploads content as one chunk and returns its SHA-256, as the SDKs do before logging an artifact.</summary>
    public async Task<string> UploadAsync(byte[] content)
    {
        var digest = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(content));
        using var upload = new Ingest.IngestClient(_channel).UploadContent(_headers);
        await upload.RequestStream.WriteAsync(new ContentChunk { Digest = digest, Data = Google.Protobuf.ByteString.CopyFrom(content) });
        await upload.RequestStream.CompleteAsync();
        await upload.ResponseAsync;
        return digest;
    }

    /// <summary>Which of the digests Ingest says this key's entity must upload.</summary>
    public async Task<IReadOnlyList<string>> FindMissingAsync(params string[] digests) =>
        (await new Ingest.IngestClient(_channel).FindMissingContentAsync(new FindMissingContentRequest { Digests = { digests } }, _headers)).Missing;

    /// <summary>A frame that logs an artifact of one file.</summary>
    public static RunFrame Artifact(RunRef run, long sequence, string name, string path, string digest, long size) => new()
    {
        Run = run,
        Sequence = sequence,
        ArtifactLogged = new ArtifactLogged { Name = name, Type = "model", Digest = digest, Size = size, Files = { new ArtifactFile { Path = path, Digest = digest, Size = size } } },
    };

    public static RunFrame Started(RunRef run, long sequence) =>
        new() { Run = run, Sequence = sequence, Started = new RunStarted { Name = "raw", ConfigJson = """{"lr":0.1}""" } };

    public static RunFrame Metrics(RunRef run, long sequence, long step, params (string Key, double Value)[] values)
    {
        var metrics = new MetricsLogged();
        var row = new MetricRow { Step = step, TimeUnixMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() };
        foreach (var (key, value) in values)
        {
            row.KeyIndexes.Add((uint)metrics.Keys.Count);
            metrics.Keys.Add(key);
            row.Values.Add(value);
        }
        metrics.Rows.Add(row);
        return new RunFrame { Run = run, Sequence = sequence, Metrics = metrics };
    }

    public static RunFrame Finished(RunRef run, long sequence) =>
        new() { Run = run, Sequence = sequence, Finished = new RunFinished { ExitCode = 0 } };

    public void Dispose() => _channel.Dispose();
}
