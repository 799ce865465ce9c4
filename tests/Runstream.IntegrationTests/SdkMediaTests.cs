using System.Buffers.Binary;
using System.IO.Compression;
using Runstream.Client;

namespace Runstream.IntegrationTests;

/// <summary>The C# SDK's images, tables and histograms, online and from an offline run synced later.</summary>
[Collection(StackCollection.Name)]
public sealed class SdkMediaTests(StackFixture stack)
{
    [Fact]
    public async Task A_run_logs_images_tables_and_histograms_and_they_are_served_with_their_files()
    {
        var project = StackFixture.NewProject("sdk-media");
        var red = Solid(8, 8, 255, 0, 0);
        string runId;
        await using (var run = await Experiment.InitAsync(stack.Settings(project)))
        {
            runId = run.Id;
            for (var epoch = 0; epoch < 3; epoch++)
            {
                run.Log(new Dictionary<string, double> { ["loss"] = 1.0 / (epoch + 1) });
                run.LogMedia(new Dictionary<string, MediaValue>
                {
                    ["preds"] = new ImageList([Image.FromPixels(red, 8, 8, caption: $"epoch {epoch}"), Image.FromPixels(Solid(8, 8, 0, 0, (byte)(epoch * 100)), 8, 8)]),
                    ["weights"] = Histogram.FromValues(Enumerable.Range(0, 100).Select(i => i / 10.0 + epoch), bins: 10),
                    ["errors"] = new Table(["image", "label", "p"]).AddRow(Image.FromPixels(red, 8, 8), "cat", 0.25).AddRow(null, "dog", double.NaN),
                });
            }
            // Over the pixel limit: left out with a warning, the rest goes on.
            run.LogMedia(new Dictionary<string, MediaValue> { ["huge"] = Image.FromPixels(new byte[4097 * 4096], 4097, 4096, channels: 1) });
            Assert.True((await run.FinishAsync()).Complete);
            Assert.Empty(run.Errors);
        }

        var keys = await stack.WaitForJsonAsync($"/api/v1/projects/{project}/runs/{runId}/media", m => m?["keys"]?.AsArray().Count == 3, "the run's three media keys");
        Assert.Equal(["errors:table:3", "preds:images:3", "weights:histogram:3"],
            keys!["keys"]!.AsArray().Select(k => $"{k!["key"]}:{k["kind"]}:{k["steps"]}"));
        var preds = (await stack.GetJsonAsync($"/api/v1/projects/{project}/runs/{runId}/media?key=preds"))!;
        var last = preds["steps"]![2]!;
        Assert.Equal(2, last["step"]!.GetValue<int>());
        Assert.Equal("epoch 2", last["images"]![0]!["caption"]!.GetValue<string>());
        var png = await stack.Query.GetByteArrayAsync(last["images"]![0]!["url"]!.GetValue<string>());
        var decoded = PngPixels(png);
        Assert.Equal((8, 8), (decoded.Width, decoded.Height));
        Assert.Equal(red, decoded.Pixels);

        var weights = (await stack.GetJsonAsync($"/api/v1/projects/{project}/runs/{runId}/media?key=weights&step=1"))!["steps"]![0]!["histogram"]!;
        Assert.Equal(100, weights["counts"]!.AsArray().Sum(c => c!.GetValue<long>()));
        Assert.Equal(1.0, weights["edges"]![0]!.GetValue<double>());

        var table = (await stack.GetJsonAsync($"/api/v1/projects/{project}/runs/{runId}/media/table?key=errors&step=0"))!;
        Assert.Equal("""["image","label","p"]""", table["columns"]!.ToJsonString());
        Assert.Equal("dog", table["rows"]![1]![1]!.GetValue<string>());
        Assert.Null(table["rows"]![1]![2]);
        Assert.Equal(png, await stack.Query.GetByteArrayAsync(table["rows"]![0]![0]!["url"]!.GetValue<string>()));
    }

    [Fact]
    public async Task An_offline_runs_media_waits_in_the_spool_and_lands_when_synced()
    {
        var project = StackFixture.NewProject("sdk-media-offline");
        var spool = Directory.CreateTempSubdirectory("runstream-media-offline-").FullName;
        var green = Solid(4, 4, 0, 255, 0);
        string runId;
        await using (var run = await Experiment.InitAsync(stack.Settings(project) with { Offline = true, SpoolDirectory = spool }))
        {
            runId = run.Id;
            run.Log(new Dictionary<string, double> { ["loss"] = 0.5 });
            run.LogMedia(new Dictionary<string, MediaValue> { ["sample"] = Image.FromPixels(green, 4, 4, caption: "offline") });
            Assert.Equal(0, (await run.FinishAsync()).Acknowledged);
        }
        Assert.Single(Directory.EnumerateFiles(Path.Combine(spool, project, runId, "content")));
        Assert.Null(await stack.GetJsonAsync($"/api/v1/projects/{project}/runs/{runId}"));

        var sync = await StackFixture.RunCliAsync(["sync", spool, "--url", stack.IngestUrl, "--timeout", "30"],
            new Dictionary<string, string> { ["RUNSTREAM_API_KEY"] = stack.ApiKey });
        Assert.Equal(0, sync.ExitCode);

        var sample = await stack.WaitForJsonAsync($"/api/v1/projects/{project}/runs/{runId}/media?key=sample", m => m is not null, "the synced image");
        var image = sample!["steps"]![0]!["images"]![0]!;
        Assert.Equal("offline", image["caption"]!.GetValue<string>());
        var decoded = PngPixels(await stack.Query.GetByteArrayAsync(image["url"]!.GetValue<string>()));
        Assert.Equal((4, 4), (decoded.Width, decoded.Height));
        Assert.Equal(green, decoded.Pixels);
        Assert.Empty((await stack.GetJsonAsync($"/api/v1/projects/{project}/runs/{runId}"))!["rejectedFrames"]!.AsArray());
    }

    /// <summary>The size and RGB pixels of an 8-bit RGB PNG whose rows are unfiltered, as the SDK writes them.</summary>
    private static (int Width, int Height, byte[] Pixels) PngPixels(byte[] png)
    {
        var (width, height) = (BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16)), BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20)));
        var idat = new MemoryStream();
        for (var at = 8; at < png.Length;)
        {
            var length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(at));
            if (png.AsSpan(at + 4, 4).SequenceEqual("IDAT"u8))
                idat.Write(png, at + 8, length);
            at += 12 + length;
        }
        idat.Position = 0;
        var rows = new MemoryStream();
        using (var zlib = new ZLibStream(idat, CompressionMode.Decompress))
            zlib.CopyTo(rows);
        var raw = rows.ToArray();
        var stride = width * 3;
        Assert.All(Enumerable.Range(0, height), y => Assert.Equal(0, raw[y * (stride + 1)]));
        return (width, height, [.. Enumerable.Range(0, height).SelectMany(y => raw.Skip(y * (stride + 1) + 1).Take(stride))]);
    }

    private static byte[] Solid(int width, int height, byte r, byte g, byte b) =>
        [.. Enumerable.Range(0, width * height).SelectMany(_ => new[] { r, g, b })];
}
