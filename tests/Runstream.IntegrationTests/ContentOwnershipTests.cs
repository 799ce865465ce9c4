using System.Net;
using System.Text.Json.Nodes;
using Grpc.Core;
using Grpc.Net.Client;
using Runstream.Contracts.V1;

namespace Runstream.IntegrationTests;

/// <summary>
/// The blob store is shared and content-addressed, so knowing a digest must not open content: an
/// entity names in its artifacts only content it uploaded itself.
/// </summary>
[Collection(StackCollection.Name)]
public sealed class ContentOwnershipTests(StackFixture stack)
{
    /// <summary>
    /// Failed before: FindMissingContent told any key that the digest existed, the artifact frame naming
    /// it was acknowledged, and the other entity downloaded team A's bytes through its own artifact.
    /// </summary>
    [Fact]
    public async Task Another_entity_cannot_name_or_read_content_it_only_knows_the_digest_of()
    {
        var secret = System.Text.Encoding.UTF8.GetBytes($"team A's weights {Guid.NewGuid()}");
        using var owner = new RawIngestClient(stack.IngestUrl, stack.ApiKey);
        var digest = await owner.UploadAsync(secret);
        Assert.Empty(await owner.FindMissingAsync(digest));

        var intruderKey = await stack.CreateApiKeyAsync($"team-x-{Guid.NewGuid():N}"[..20]);
        using var intruder = new RawIngestClient(stack.IngestUrl, intruderKey);
        using var intruderQuery = stack.QueryAs(intruderKey);
        Assert.Equal([digest], await intruder.FindMissingAsync(digest));

        var project = StackFixture.NewProject("stolen");
        var run = new RunRef { Project = project, RunId = "intruder" };
        var replies = await intruder.SendAsync(RawIngestClient.Started(run, 1), RawIngestClient.Artifact(run, 2, "stolen", "weights.bin", digest, secret.Length), RawIngestClient.Finished(run, 3));
        var error = Assert.Single(replies, r => r.Error is not null).Error;
        Assert.Equal("artifact_logged.files[0].digest", error.Field);
        Assert.Contains("'weights.bin'", error.Message);
        // The refused frame keeps its place in the run, so the frames after it are applied.
        Assert.Equal([1L, 2, 3], replies.Where(r => r.Ack is not null).Select(r => r.Ack.Sequence));
        var finished = await Poll.UntilAsync(() => Json(intruderQuery, $"/api/v1/projects/{project}/runs/intruder"),
            r => r?["state"]?.GetValue<string>() == "finished", "the intruder's run to finish");
        Assert.Contains("artifact_logged.files[0].digest", finished!["rejectedFrames"]!.ToJsonString());

        Assert.Equal(HttpStatusCode.NotFound, (await intruderQuery.GetAsync($"/api/v1/projects/{project}/artifacts/stolen/v0/files/weights.bin")).StatusCode);
        using (var channel = GrpcChannel.ForAddress(stack.IngestUrl))
        {
            using var download = new Ingest.IngestClient(channel).DownloadContent(
                new ArtifactFileRef { Artifact = new ArtifactRef { Project = project, Name = "stolen", Version = "v0" }, Path = "weights.bin" },
                new Metadata { { "authorization", $"Bearer {intruderKey}" } });
            Assert.Equal(StatusCode.NotFound, (await Assert.ThrowsAsync<RpcException>(() => download.ResponseStream.MoveNext())).StatusCode);
        }

        // Having the bytes is what counts: uploading them (stored once on disk) makes the content the intruder's own too.
        Assert.Equal(digest, await intruder.UploadAsync(secret));
        Assert.Empty(await intruder.FindMissingAsync(digest));
        var own = new RunRef { Project = project, RunId = "uploader" };
        Assert.DoesNotContain(await intruder.SendAsync(RawIngestClient.Started(own, 1), RawIngestClient.Artifact(own, 2, "own", "weights.bin", digest, secret.Length)), r => r.Error is not null);
        await Poll.UntilAsync(() => Json(intruderQuery, $"/api/v1/projects/{project}/artifacts/own/v0"), v => v is not null, "the intruder's own artifact");
        Assert.Equal(secret, await intruderQuery.GetByteArrayAsync($"/api/v1/projects/{project}/artifacts/own/v0/files/weights.bin"));
    }

    private static async Task<JsonNode?> Json(HttpClient client, string path)
    {
        using var response = await client.GetAsync(path);
        return response.StatusCode == HttpStatusCode.NotFound ? null : JsonNode.Parse(await response.Content.ReadAsStringAsync());
    }
}
