using System.Net;
using System.Text.Json.Nodes;
using Runstream.Contracts.V1;
using static Runstream.IntegrationTests.MediaFrames;

namespace Runstream.IntegrationTests;

/// <summary>Images, tables and histograms: stored per step from media frames, served by the Query API, refused over their limits.</summary>
[Collection(StackCollection.Name)]
public sealed class MediaTests(StackFixture stack)
{
    [Fact]
    public async Task Images_tables_and_histograms_are_served_per_step_with_their_files()
    {
        using var ingest = new RawIngestClient(stack.IngestUrl, stack.ApiKey);
        var (first, second, again) = (Png(64, 64, $"first {Guid.NewGuid()}"), Png(64, 64, $"second {Guid.NewGuid()}"), Png(32, 16, $"again {Guid.NewGuid()}"));
        var (firstDigest, secondDigest, againDigest) = (await ingest.UploadAsync(first), await ingest.UploadAsync(second), await ingest.UploadAsync(again));
        var tableFile = System.Text.Encoding.UTF8.GetBytes($$"""
            {"columns": ["image", "label", "confidence"], "data": [
              [{"_type": "image", "digest": "{{firstDigest}}", "size": {{first.Length}}, "width": 64, "height": 64, "format": "png", "caption": "a cat"}, "cat", 0.4],
              [null, "dog", 0.9],
              ["-", "bird", 0.1]]}
            """);
        var tableDigest = await ingest.UploadAsync(tableFile);

        var project = StackFixture.NewProject("media");
        var run = new RunRef { Project = project, RunId = "pictures" };
        var replies = await ingest.SendAsync(
            RawIngestClient.Started(run, 1),
            Media(run, 2,
                (0, "preds", Images(Image(firstDigest, first, 64, 64, "step 0"), Image(secondDigest, second, 64, 64))),
                (0, "weights", Histogram([-1, 0, 1], [3, 5])),
                (1, "preds", Images(Image(secondDigest, second, 64, 64, "step 1"))),
                (1, "weights", Histogram([-2, 0, 2], [1, 7])),
                (1, "errors", Table(tableDigest, tableFile, ["image", "label", "confidence"], 3, firstDigest))),
            RawIngestClient.Metrics(run, 3, 1, ("loss", 0.5)),
            // Step 1 logged again: the later frame's image is the step's.
            Media(run, 4, (1, "preds", Images(Image(againDigest, again, 32, 16, "step 1 again")))),
            RawIngestClient.Finished(run, 5));
        Assert.DoesNotContain(replies, r => r.Error is not null);

        // Every frame applied (the keys alone appear with frame 2, before step 1's later image).
        await stack.WaitForJsonAsync($"/api/v1/projects/{project}/runs/pictures", r => r?["lastSequence"]?.GetValue<long>() == 5, "every frame of the run applied");
        var keys = await Json($"/api/v1/projects/{project}/runs/pictures/media");
        Assert.Equal("""[{"key":"errors","kind":"table","steps":1,"firstStep":1,"lastStep":1},{"key":"preds","kind":"images","steps":2,"firstStep":0,"lastStep":1},{"key":"weights","kind":"histogram","steps":2,"firstStep":0,"lastStep":1}]""",
            keys!["keys"]!.ToJsonString());

        var preds = (await Json($"/api/v1/projects/{project}/runs/pictures/media?key=preds"))!;
        Assert.Equal("images", preds["kind"]!.GetValue<string>());
        Assert.Equal(2, preds["totalSteps"]!.GetValue<int>());
        var step0 = preds["steps"]![0]!["images"]!.AsArray();
        Assert.Equal(["step 0", null], step0.Select(i => i!["caption"]?.GetValue<string>()));
        var step1 = Assert.Single(preds["steps"]![1]!["images"]!.AsArray())!;
        Assert.Equal(("step 1 again", 32, 16), (step1["caption"]!.GetValue<string>(), step1["width"]!.GetValue<int>(), step1["height"]!.GetValue<int>()));
        Assert.Equal(again, await stack.Query.GetByteArrayAsync(step1["url"]!.GetValue<string>()));
        using (var download = await stack.Query.GetAsync(step0[0]!["url"]!.GetValue<string>()))
        {
            Assert.Equal("image/png", download.Content.Headers.ContentType?.MediaType);
            Assert.Equal(first, await download.Content.ReadAsByteArrayAsync());
        }

        var oneStep = (await Json($"/api/v1/projects/{project}/runs/pictures/media?key=weights&step=1"))!;
        Assert.Equal("""[{"step":1,"timeUnixMs":0,"histogram":{"edges":[-2,0,2],"counts":[1,7]}}]""",
            ZeroTimes(oneStep["steps"]!.AsArray()).ToJsonString());

        var page = (await Json($"/api/v1/projects/{project}/runs/pictures/media/table?key=errors&step=1&sort=confidence&desc=true&limit=2"))!;
        Assert.Equal(3, page["totalRows"]!.GetValue<int>());
        Assert.Equal(["dog", "cat"], page["rows"]!.AsArray().Select(r => r![1]!.GetValue<string>()));
        var thumbnail = page["rows"]![1]![0]!;
        Assert.Equal(first, await stack.Query.GetByteArrayAsync(thumbnail["url"]!.GetValue<string>()));
        var searched = (await Json($"/api/v1/projects/{project}/runs/pictures/media/table?key=errors&step=1&search=CAT"))!;
        Assert.Equal(["cat"], searched["rows"]!.AsArray().Select(r => r![1]!.GetValue<string>()));

        // Only what the run's media names is served, though the entity holds the content.
        var unnamed = await ingest.UploadAsync(Png(8, 8, $"unnamed {Guid.NewGuid()}"));
        Assert.Equal(HttpStatusCode.NotFound, (await stack.Query.GetAsync($"/api/v1/projects/{project}/runs/pictures/media/files/{unnamed}")).StatusCode);
        // Another entity's key does not reach the run's files.
        using var other = stack.QueryAs(await stack.CreateApiKeyAsync($"media-x-{Guid.NewGuid():N}"[..20]));
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync(step1["url"]!.GetValue<string>())).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await stack.Query.GetAsync($"/api/v1/projects/{project}/runs/pictures/media/table?key=errors&step=1&sort=nope")).StatusCode);
    }

    /// <summary>A refused image costs only its own frame: the numbers of its step and the frames after it land.</summary>
    [Fact]
    public async Task An_oversized_image_is_refused_with_its_field_and_the_limit_and_the_run_goes_on()
    {
        using var ingest = new RawIngestClient(stack.IngestUrl, stack.ApiKey);
        var huge = Png(5000, 5000, $"huge {Guid.NewGuid()}");
        var hugeDigest = await ingest.UploadAsync(huge);
        var small = Png(64, 64, $"small {Guid.NewGuid()}");
        var smallDigest = await ingest.UploadAsync(small);
        var project = StackFixture.NewProject("media");
        var run = new RunRef { Project = project, RunId = "oversized" };
        var replies = await ingest.SendAsync(
            RawIngestClient.Started(run, 1),
            RawIngestClient.Metrics(run, 2, 0, ("loss", 0.9)),
            Media(run, 3, (0, "big", Images(Image(hugeDigest, huge, 5000, 5000)))),
            // The same file, its size understated: Ingest reads the pixels from the file.
            Media(run, 4, (0, "big", Images(Image(hugeDigest, huge, 64, 64)))),
            Media(run, 5, (0, "small", Images(Image(smallDigest, small, 64, 64)))),
            RawIngestClient.Finished(run, 6));

        var errors = replies.Where(r => r.Error is not null).Select(r => r.Error).ToList();
        Assert.Equal([3L, 4], errors.Select(e => e.Sequence));
        Assert.Equal("media.rows[0].cells[0].images[0]", errors[0].Field);
        Assert.Contains("5000x5000 = 25,000,000 pixels; the limit is 16,777,216", errors[0].Message);
        Assert.Contains("its file is png 5000x5000", errors[1].Message);
        Assert.Equal([1L, 2, 3, 4, 5, 6], replies.Where(r => r.Ack is not null).Select(r => r.Ack.Sequence));

        var finished = await Poll.UntilAsync(() => Json($"/api/v1/projects/{project}/runs/oversized"), r => r?["state"]?.GetValue<string>() == "finished", "the run to finish");
        Assert.Equal(2, finished!["rejectedFrames"]!.AsArray().Count);
        Assert.Equal(0.9, finished["summary"]!["loss"]!.GetValue<double>());
        var keys = (await Json($"/api/v1/projects/{project}/runs/oversized/media"))!;
        Assert.Equal(["small"], keys["keys"]!.AsArray().Select(k => k!["key"]!.GetValue<string>()));
        Assert.Equal(HttpStatusCode.NotFound, (await stack.Query.GetAsync($"/api/v1/projects/{project}/runs/oversized/media/files/{hugeDigest}")).StatusCode);
    }

    [Fact]
    public async Task A_media_frame_naming_content_the_entity_did_not_upload_or_a_table_that_disagrees_with_its_file_is_refused()
    {
        using var ingest = new RawIngestClient(stack.IngestUrl, stack.ApiKey);
        var image = Png(16, 16, $"image {Guid.NewGuid()}");
        var imageDigest = await ingest.UploadAsync(image);
        var table = System.Text.Encoding.UTF8.GetBytes("""{"columns": ["a"], "data": [[1], [2]]}""");
        var tableDigest = await ingest.UploadAsync(table);
        var neverUploaded = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Guid.NewGuid().ToByteArray()));
        var project = StackFixture.NewProject("media");
        var run = new RunRef { Project = project, RunId = "mismatch" };
        var replies = await ingest.SendAsync(
            RawIngestClient.Started(run, 1),
            Media(run, 2, (0, "img", Images(Image(neverUploaded, image, 16, 16)))),
            Media(run, 3, (0, "rows", Table(tableDigest, table, ["a"], 5))),
            Media(run, 4, (0, "rows", Table(tableDigest, table, ["a"], 2, imageDigest))),
            Media(run, 5, (0, "hist", Histogram([0, 1], [1, 2]))),
            Media(run, 6, (0, "rows", Table(tableDigest, table, ["a"], 2))));
        var errors = replies.Where(r => r.Error is not null).ToDictionary(r => r.Error.Sequence, r => r.Error);
        Assert.Equal([2L, 3, 4, 5], errors.Keys.Order());
        Assert.Equal("media.rows[0].cells[0].images[0].digest", errors[2].Field);
        Assert.Contains("has not uploaded content", errors[2].Message);
        Assert.Contains("the frame says 5 rows; the file has 2", errors[3].Message);
        Assert.Equal("media.rows[0].cells[0].table.image_digests", errors[4].Field);
        Assert.Equal("media.rows[0].cells[0].histogram.edges", errors[5].Field);
        await Poll.UntilAsync(() => Json($"/api/v1/projects/{project}/runs/mismatch/media"), m => m?["keys"]?.AsArray().Count == 1, "the one good table");
    }

    private static JsonArray ZeroTimes(JsonArray steps)
    {
        foreach (var step in steps)
            step!["timeUnixMs"] = 0;
        return steps;
    }

    private async Task<JsonNode?> Json(string path)
    {
        using var response = await stack.Query.GetAsync(path);
        return response.StatusCode == HttpStatusCode.NotFound ? null : JsonNode.Parse(await response.Content.ReadAsStringAsync());
    }
}
