using System.Text.Json.Nodes;
using Runstream.Client;
using Runstream.Contracts.Wire;
using Runstream.Ingest.Content;

namespace Runstream.UnitTests;

public sealed class SdkMediaTests
{
    [Fact]
    public void Histograms_bin_finite_values_with_the_last_bin_closed()
    {
        var (edges, counts) = Histogram.Bin([0, 1, 2, 3, 4, double.NaN, double.PositiveInfinity], 4);
        Assert.Equal([0.0, 1, 2, 3, 4], edges);
        Assert.Equal([1L, 1, 1, 2], counts);
        var (one, single) = Histogram.Bin([7, 7], 2);
        Assert.Equal([6.5, 7, 7.5], one);
        Assert.Equal([0L, 2], single);
        Assert.Throws<ArgumentOutOfRangeException>(() => Histogram.FromValues([1], bins: 513));
    }

    [Fact]
    public void Encoded_pngs_carry_the_size_Ingest_reads()
    {
        var png = PngEncoder.Encode(new byte[5 * 3 * 4], 5, 3, 4);
        Assert.Equal(("png", 5, 3), ImageHeader.Read(png));
        // Every chunk's CRC holds (decoders refuse a file whose CRC does not), and IEND ends the file.
        var chunks = new List<string>();
        for (var at = 8; at < png.Length;)
        {
            var length = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(at));
            chunks.Add(System.Text.Encoding.ASCII.GetString(png, at + 4, 4));
            Assert.Equal(System.IO.Hashing.Crc32.HashToUInt32(png.AsSpan(at + 4, 4 + length)),
                System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(at + 8 + length)));
            at += 12 + length;
        }
        Assert.Equal(["IHDR", "IDAT", "IEND"], chunks);
        Assert.Throws<ArgumentException>(() => PngEncoder.Encode(new byte[10], 5, 3, 4));
    }

    [Fact]
    public void A_tables_file_holds_its_columns_rows_and_image_cells()
    {
        var image = Image.FromPixels(new byte[2 * 2 * 3], 2, 2, caption: "tiny");
        var table = new Table(["image", "label", "p"]).AddRow(image, "cat", 0.5).AddRow(null, "dog", double.NaN);
        var encoded = table.Encode();

        var file = encoded.Files[0];
        var json = JsonNode.Parse(file.Bytes)!;
        Assert.Equal("""["image","label","p"]""", json["columns"]!.ToJsonString());
        Assert.Equal("""[null,"dog",null]""", json["data"]![1]!.ToJsonString());
        var cell = json["data"]![0]![0]!;
        Assert.Equal(("image", 2, "tiny"), (cell["_type"]!.GetValue<string>(), cell["width"]!.GetValue<int>(), cell["caption"]!.GetValue<string>()));
        var reference = encoded.Cell.Table;
        Assert.Equal((file.Digest, 2L), (reference.Digest, reference.RowCount));
        Assert.Equal([cell["digest"]!.GetValue<string>()], reference.ImageDigests);
        Assert.Equal(2, encoded.Files.Count);

        Assert.Throws<ArgumentException>(() => table.AddRow("too", "few"));
        Assert.Throws<ArgumentException>(() => table.AddRow(new object(), "x", 1));
        Assert.Throws<ArgumentException>(() => new Table(["a", "a"]));
    }

    [Fact]
    public void An_image_file_is_sent_as_it_is_with_the_size_its_header_gives()
    {
        var path = Path.GetTempFileName();
        var png = PngEncoder.Encode(new byte[7 * 2 * 3], 7, 2, 3);
        File.WriteAllBytes(path, png);
        var (file, reference) = Image.FromFile(path, caption: "from disk").EncodeImage();
        Assert.Equal(png, file.Bytes);
        Assert.Equal(("png", 7, 2, "from disk"), (reference.Format, reference.Width, reference.Height, reference.Caption));
        File.WriteAllText(path, "not an image");
        Assert.Contains("is not a PNG, JPEG or GIF file", Assert.Throws<ArgumentException>(() => Image.FromFile(path).EncodeImage()).Message);
        File.Delete(path);
    }

    [Fact]
    public void An_image_over_the_pixel_limit_is_refused_when_encoded_naming_the_limit()
    {
        var huge = Image.FromPixels(new byte[4097 * 4096], 4097, 4096, channels: 1);
        Assert.Contains("the limit is 16,777,216", Assert.Throws<ArgumentException>(() => huge.Encode()).Message);
    }
}
