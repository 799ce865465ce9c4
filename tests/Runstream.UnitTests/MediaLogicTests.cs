using System.Buffers.Binary;
using System.Text.Json;
using System.Text.Json.Nodes;
using Google.Protobuf;
using Runstream.Contracts.Bus;
using Runstream.Contracts.Wire;
using Runstream.Ingest.Content;
using Runstream.Ingest.Frames;
using Runstream.Projections.Runs.ApplyingFrames;
using Runstream.Query.Media;
using Runstream.Store.Media;
using Runstream.Store.Runs;
using Wire = Runstream.Contracts.V1;

namespace Runstream.UnitTests;

public sealed class MediaLogicTests
{
    private static readonly string Digest = new('a', 64);

    private static Wire.RunFrame MediaFrame(Wire.MediaCell cell, string key = "preds", long step = 0) => new()
    {
        Run = new Wire.RunRef { Project = "p", RunId = "r" },
        Sequence = 2,
        Media = new Wire.MediaLogged { Keys = { key }, Rows = { new Wire.MediaRow { Step = step, Cells = { cell } } } },
    };

    private static Wire.MediaCell Image(int width, int height, string format = "png", long size = 100) =>
        new() { Images = new Wire.ImageList { Images = { new Wire.ImageRef { Digest = Digest, Size = size, Width = width, Height = height, Format = format } } } };

    [Theory]
    [InlineData(4096, 4096, "png", 100, null, null)]
    [InlineData(4097, 4096, "png", 100, "media.rows[0].cells[0].images[0]", "4097x4096 = 16,781,312 pixels; the limit is 16,777,216")]
    [InlineData(0, 10, "png", 100, "media.rows[0].cells[0].images[0]", "both sides must be at least 1")]
    [InlineData(10, 10, "bmp", 100, "media.rows[0].cells[0].images[0].format", "images are png, jpeg, gif")]
    [InlineData(10, 10, "png", 17 * 1024 * 1024, "media.rows[0].cells[0].images[0].size", "1 to 16,777,216 bytes")]
    public void Images_are_checked_against_their_limits(int width, int height, string format, long size, string? field, string? message)
    {
        var problem = FrameValidator.ValidatePayload(MediaFrame(Image(width, height, format, size)));
        Assert.Equal(field, problem?.Field);
        if (message is not null)
            Assert.Contains(message, problem!.Message);
    }

    [Fact]
    public void Tables_and_histograms_are_checked_against_their_limits()
    {
        Wire.MediaCell Table(long rows, params string[] columns) =>
            new() { Table = new Wire.TableRef { Digest = Digest, Size = 10, RowCount = rows, Columns = { columns } } };
        Wire.MediaCell Histogram(double[] edges, long[] counts) => new() { Histogram = new Wire.Histogram { Edges = { edges }, Counts = { counts } } };

        Assert.Null(FrameValidator.ValidatePayload(MediaFrame(Table(10_000, "a", "b"))));
        Assert.Contains("10,001 rows; the limit is 10,000", FrameValidator.ValidatePayload(MediaFrame(Table(10_001, "a")))!.Message);
        Assert.Equal("media.rows[0].cells[0].table.columns", FrameValidator.ValidatePayload(MediaFrame(Table(1, "a", "a")))?.Field);
        Assert.Equal("media.rows[0].cells[0].table.columns", FrameValidator.ValidatePayload(MediaFrame(Table(1)))?.Field);
        Assert.Null(FrameValidator.ValidatePayload(MediaFrame(Histogram([0, 1, 1, 2], [1, 0, 3]))));
        Assert.Equal("media.rows[0].cells[0].histogram.edges[2]", FrameValidator.ValidatePayload(MediaFrame(Histogram([0, 2, 1], [1, 1])))?.Field);
        Assert.Equal("media.rows[0].cells[0].histogram.edges[1]", FrameValidator.ValidatePayload(MediaFrame(Histogram([0, double.NaN], [1])))?.Field);
        Assert.Equal("media.rows[0].cells[0].histogram.counts[0]", FrameValidator.ValidatePayload(MediaFrame(Histogram([0, 1], [-1])))?.Field);
        Assert.Contains("513 bins", FrameValidator.ValidatePayload(MediaFrame(Histogram([.. Enumerable.Range(0, 514).Select(i => (double)i)], new long[513])))!.Message);
        Assert.Equal("media.rows[0].cells[0].key_index", FrameValidator.ValidatePayload(MediaFrame(new Wire.MediaCell { KeyIndex = 3, Histogram = new() }))?.Field);
        Assert.Equal("media.keys[0]", FrameValidator.ValidatePayload(MediaFrame(Histogram([0, 1], [1]), key: ""))?.Field);
    }

    [Fact]
    public void Image_headers_give_format_and_size()
    {
        var png = new byte[24];
        ImageHeader.PngSignature.CopyTo(png);
        "IHDR"u8.CopyTo(png.AsSpan(12));
        BinaryPrimitives.WriteInt32BigEndian(png.AsSpan(16), 640);
        BinaryPrimitives.WriteInt32BigEndian(png.AsSpan(20), 480);
        Assert.Equal(("png", 640, 480), ImageHeader.Read(png));

        byte[] gif = [.. "GIF89a"u8, 0x20, 0x01, 0x10, 0x00];
        Assert.Equal(("gif", 288, 16), ImageHeader.Read(gif));

        // SOI, an APP0 segment of 16 bytes, a DHT marker that shares SOF's range, then SOF0: height 200, width 300.
        byte[] jpeg = [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, .. new byte[14], 0xFF, 0xC4, 0x00, 0x02, 0xFF, 0xC0, 0x00, 0x11, 0x08, 0x00, 0xC8, 0x01, 0x2C, 0x03];
        Assert.Equal(("jpeg", 300, 200), ImageHeader.Read(jpeg));

        Assert.Null(ImageHeader.Read("not an image at all"u8));
        Assert.Null(ImageHeader.Read(png.AsSpan(0, 20)));
    }

    [Fact]
    public void A_table_file_must_hold_what_its_frame_says()
    {
        var table = new Wire.TableRef { Columns = { "image", "label" }, RowCount = 2, ImageDigests = { Digest } };
        FrameProblem? Check(string json) => TableFileRules.Problem("t", "k", table, JsonDocument.Parse(json).RootElement);

        Assert.Null(Check($$"""{"columns": ["image", "label"], "data": [[{"_type": "image", "digest": "{{Digest}}"}, "cat"], [null, 1.5]]}"""));
        Assert.Contains("the file has [image, guess]", Check("""{"columns": ["image", "guess"], "data": []}""")!.Message);
        Assert.Contains("the frame says 2 rows; the file has 1", Check("""{"columns": ["image", "label"], "data": [[null, "a"]]}""")!.Message);
        Assert.Contains("row 1 of the file is not an array of 2 cells", Check("""{"columns": ["image", "label"], "data": [[null, "a"], [null]]}""")!.Message);
        Assert.Contains("is not among image_digests", Check($$"""{"columns": ["image", "label"], "data": [[{"_type": "image", "digest": "{{new string('b', 64)}}"}, "a"], [null, "b"]]}""")!.Message);
        Assert.Contains("no cell of the file holds", Check("""{"columns": ["image", "label"], "data": [[null, "a"], [null, "b"]]}""")!.Message);
        Assert.Contains("is a list", Check("""{"columns": ["image", "label"], "data": [[[1], "a"], [null, "b"]]}""")!.Message);
    }

    [Fact]
    public void Media_past_the_runs_byte_limit_is_refused_in_order()
    {
        var cell = Image(8, 8, size: 1_000);
        var frame = MediaFrame(cell);
        var received = new RunFrameReceived { Entity = "e", Project = "p", RunId = "r", Sequence = 2, Frame = frame.ToByteArray(), ReceivedAt = DateTimeOffset.UnixEpoch };

        var logged = Assert.IsType<MediaLogged>(RunFrameEvents.ToEvent(received, new RunSoFar(RunState.Running, MediaBytes: MediaLimits.MaxBytesPerRun - 1_000)));
        Assert.Equal(1_000, logged.Bytes);
        Assert.Equal(MediaLimits.MaxBytesPerRun, new RunSoFar(RunState.Running, MediaBytes: MediaLimits.MaxBytesPerRun - 1_000).After(logged).MediaBytes);
        var refused = Assert.IsType<FrameRejected>(RunFrameEvents.ToEvent(received, new RunSoFar(RunState.Running, MediaBytes: MediaLimits.MaxBytesPerRun - 999)));
        Assert.Contains("the limit is 10,737,418,240 bytes per run", refused.Reason);
    }

    [Fact]
    public void Sampled_steps_spread_evenly_and_keep_the_first_and_the_last()
    {
        long[] steps = [.. Enumerable.Range(0, 101).Select(i => (long)i * 10)];
        Assert.Equal([0L, 250, 500, 750, 1000], StepSampling.Pick(steps, 5));
        Assert.Equal(steps, StepSampling.Pick(steps, 500));
        Assert.Equal([1000L], StepSampling.Pick(steps, 1));
    }

    [Fact]
    public void Table_pages_are_searched_then_sorted_with_nulls_last_then_cut()
    {
        var rows = JsonNode.Parse("""[["a", 3], ["B", null], ["c", 1], [{"_type": "image", "caption": "a cat"}, 2], ["d", "x"]]""")!.AsArray();
        string Firsts(List<JsonArray> page) => string.Join(",", page.Select(r => r[0] is JsonObject ? "img" : r[0]!.GetValue<string>()));

        Assert.Equal("c,img,a,d,B", Firsts(TableRows.Page(rows, 1, false, null, 0, 10).Page));
        Assert.Equal("a,img,c,d,B", Firsts(TableRows.Page(rows, 1, true, null, 0, 10).Page));
        var (total, page) = TableRows.Page(rows, 0, false, "A", 0, 1);
        Assert.Equal(2, total);
        Assert.Equal("a", Firsts(page));
        Assert.Equal("img", Firsts(TableRows.Page(rows, null, false, "cat", 0, 10).Page));
        Assert.Equal("c,img", Firsts(TableRows.Page(rows, null, false, null, 2, 2).Page));
    }
}
