using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Grpc.Core;
using Runstream.Client;
using Runstream.Contracts.V1;

namespace Runstream.IntegrationTests;

/// <summary>
/// Limits that count what costs: bytes of every frame and upload, the content an entity stores, the
/// size of one upload, and content nothing references any more.
/// </summary>
[Collection(StackCollection.Name)]
public sealed class QuotaTests(StackFixture stack)
{
    /// <summary>Failed before: only metric points counted, so large config frames passed any limit.</summary>
    [Fact]
    public async Task Frames_count_their_bytes_against_the_entitys_rate()
    {
        var key = await stack.CreateApiKeyAsync(StackFixture.ByteLimitedEntity);
        using var ingest = new RawIngestClient(stack.IngestUrl, key);
        var run = new RunRef { Project = StackFixture.NewProject("bytes"), RunId = "r1" };
        // Five configs of 200 KiB each against 256 KiB/s: the stream ends on the way, after acknowledging what it took.
        var config = $$"""{"blob":"{{new string('x', 200 * 1024)}}"}""";
        var frames = new[] { RawIngestClient.Started(run, 1) }
            .Concat(Enumerable.Range(2, 5).Select(sequence => new RunFrame { Run = run, Sequence = sequence, ConfigUpdated = new ConfigUpdated { ConfigJson = config } }))
            .ToArray();
        var limited = await Assert.ThrowsAsync<RpcException>(() => ingest.SendAsync(frames));
        Assert.Equal(StatusCode.ResourceExhausted, limited.StatusCode);
        Assert.Contains($"{StackFixture.ByteLimitedBytesPerSecond:N0} bytes/s", limited.Status.Detail);
        Assert.NotNull(limited.Trailers.GetValue("retry-after-ms"));
    }

    [Fact]
    public async Task A_client_over_the_byte_rate_backs_off_and_loses_nothing()
    {
        var key = await stack.CreateApiKeyAsync(StackFixture.ByteLimitedEntity);
        using var query = stack.QueryAs(key);
        var project = StackFixture.NewProject("bytes-sdk");
        var warnings = new List<string>();
        const int steps = 60;
        string runId;
        await using (var run = await Experiment.InitAsync(stack.Settings(project) with
        {
            ApiKey = key,
            MaxRowsPerFrame = 1,
            FinishTimeout = TimeSpan.FromSeconds(60),
            Warn = message => { lock (warnings) warnings.Add(message); },
        }))
        {
            runId = run.Id;
            // One row per frame, each naming its 200 long keys: about 800 KB, three seconds' worth at 256 KiB/s.
            for (var step = 0; step < steps; step++)
                run.Log(Enumerable.Range(0, 200).ToDictionary(k => $"a-rather-long-metric-name-to-make-frames-large/{k:D4}", k => (double)step));
            Assert.True((await run.FinishAsync()).Complete);
        }
        lock (warnings)
            Assert.Contains(warnings, w => w.Contains("rate limiting") && w.Contains("bytes/s"));
        var history = await Poll.UntilAsync(async () => (await query.GetFromJsonAsync<JsonArray>($"/api/v1/projects/{project}/runs/{runId}/history"))!,
            rows => rows.Count == steps, $"all {steps} steps");
        Assert.All(history, row => Assert.Equal(row!["_step"]!.GetValue<long>(), row["a-rather-long-metric-name-to-make-frames-large/0199"]!.GetValue<double>()));
    }

    /// <summary>Failed before: uploads had no quota and no size limit.</summary>
    [Fact]
    public async Task Uploads_over_the_storage_quota_or_the_size_limit_are_refused_with_the_limit()
    {
        var key = await stack.CreateApiKeyAsync(StackFixture.QuotaEntity);
        using var ingest = new RawIngestClient(stack.IngestUrl, key);
        var first = Random.Shared.GetItems<byte>([1, 2, 3], 700 * 1024);
        await ingest.UploadAsync(first);
        // The same content again is not counted twice.
        await ingest.UploadAsync(first);

        var over = await Assert.ThrowsAsync<RpcException>(() => ingest.UploadAsync(Random.Shared.GetItems<byte>([4, 5, 6], 700 * 1024)));
        Assert.Equal(StatusCode.ResourceExhausted, over.StatusCode);
        Assert.Contains($"storage quota of {StackFixture.QuotaBytes:N0} bytes", over.Status.Detail);
        Assert.Null(over.Trailers.GetValue("retry-after-ms"));

        using var unlimited = new RawIngestClient(stack.IngestUrl, stack.ApiKey);
        var tooLarge = await Assert.ThrowsAsync<RpcException>(() => unlimited.UploadAsync(new byte[StackFixture.MaxUploadBytes + 1]));
        Assert.Equal(StatusCode.InvalidArgument, tooLarge.StatusCode);
        Assert.Contains($"{StackFixture.MaxUploadBytes:N0} bytes", tooLarge.Status.Detail);
    }

    /// <summary>Failed before: blobs were never collected.</summary>
    [Fact]
    public async Task Content_no_artifact_references_is_collected_and_referenced_content_is_kept()
    {
        using var ingest = new RawIngestClient(stack.IngestUrl, stack.ApiKey);
        var orphan = await ingest.UploadAsync(System.Text.Encoding.UTF8.GetBytes($"never logged {Guid.NewGuid()}"));
        var model = System.Text.Encoding.UTF8.GetBytes($"logged {Guid.NewGuid()}");
        var kept = await ingest.UploadAsync(model);
        var project = StackFixture.NewProject("collected");
        var run = new RunRef { Project = project, RunId = "r1" };
        Assert.DoesNotContain(await ingest.SendAsync(RawIngestClient.Started(run, 1), RawIngestClient.Artifact(run, 2, "model", "model.bin", kept, model.Length)), r => r.Error is not null);
        await stack.WaitForJsonAsync($"/api/v1/projects/{project}/artifacts/model/v0", v => v is not null, "the artifact");

        // A Projections instance that collects every second what is unreferenced for two (on queues of its own).
        var suffix = Guid.NewGuid().ToString("N")[..8];
        await stack.StartAnotherAsync("projections-collecting", "projections", "http", new Dictionary<string, string>
        {
            ["Blobs__CollectEvery"] = "00:00:01",
            ["Blobs__OrphanAfter"] = "00:00:02",
            ["Frames__Queue"] = $"run-frames-collecting-{suffix}",
            ["Frames__HeartbeatQueue"] = $"run-heartbeats-collecting-{suffix}",
        });
        try
        {
            await Poll.UntilAsync(() => Task.FromResult(File.Exists(BlobPath(orphan))), exists => !exists, "the orphaned blob to be collected");
            Assert.Equal([orphan], await ingest.FindMissingAsync(orphan));
            // Uploaded at the same moment, and as old: kept because an artifact names it.
            Assert.True(File.Exists(BlobPath(kept)));
            Assert.Empty(await ingest.FindMissingAsync(kept));
        }
        finally
        {
            await stack.StopAsync("projections-collecting");
        }
    }

    private string BlobPath(string digest) => Path.Combine(stack.BlobsRoot, digest[..2], digest[2..4], digest);
}
