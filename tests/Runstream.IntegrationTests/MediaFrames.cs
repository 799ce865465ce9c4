using System.Buffers.Binary;
using Runstream.Contracts.V1;

namespace Runstream.IntegrationTests;

/// <summary>Media frames and files as an SDK makes them, built by hand for tests of what Ingest accepts.</summary>
public static class MediaFrames
{
    /// <summary>
    /// The start of a PNG of the given size (signature, IHDR, IEND) with a marker in it, so each call makes
    /// distinct bytes: Ingest reads only the header, and the tests compare bytes, never pixels.
    /// </summary>
    public static byte[] Png(int width, int height, string marker)
    {
        var bytes = new List<byte> { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A };
        var header = new byte[25];
        BinaryPrimitives.WriteInt32BigEndian(header, 13);
        "IHDR"u8.CopyTo(header.AsSpan(4));
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(8), width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(12), height);
        header[16] = 8;
        header[17] = 2;
        bytes.AddRange(header);
        bytes.AddRange(System.Text.Encoding.UTF8.GetBytes(marker));
        return [.. bytes];
    }

    public static ImageRef Image(string digest, byte[] file, int width, int height, string? caption = null) =>
        new() { Digest = digest, Size = file.Length, Width = width, Height = height, Format = "png", Caption = caption ?? "" };

    public static RunFrame Media(RunRef run, long sequence, params (long Step, string Key, MediaCell Cell)[] cells)
    {
        var media = new MediaLogged();
        foreach (var step in cells.GroupBy(c => c.Step))
        {
            var row = new MediaRow { Step = step.Key, TimeUnixMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() };
            foreach (var (_, key, cell) in step)
            {
                if (!media.Keys.Contains(key))
                    media.Keys.Add(key);
                cell.KeyIndex = (uint)media.Keys.IndexOf(key);
                row.Cells.Add(cell);
            }
            media.Rows.Add(row);
        }
        return new RunFrame { Run = run, Sequence = sequence, Media = media };
    }

    public static MediaCell Images(params ImageRef[] images) => new() { Images = new ImageList { Images = { images } } };

    public static MediaCell Histogram(double[] edges, long[] counts) => new() { Histogram = new Histogram { Edges = { edges }, Counts = { counts } } };

    public static MediaCell Table(string digest, byte[] file, string[] columns, long rows, params string[] imageDigests) =>
        new() { Table = new TableRef { Digest = digest, Size = file.Length, Columns = { columns }, RowCount = rows, ImageDigests = { imageDigests } } };
}
