using System.Buffers.Binary;
using System.IO.Compression;
using System.IO.Hashing;

namespace Runstream.Client;

/// <summary>Raw 8-bit pixels to a PNG file: grey (1 channel), grey and alpha (2), RGB (3) or RGBA (4), rows unfiltered, deflated.</summary>
internal static class PngEncoder
{
    private static readonly byte[] Signature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    public static byte[] Encode(ReadOnlySpan<byte> pixels, int width, int height, int channels)
    {
        var colorType = channels switch
        {
            1 => (byte)0,
            2 => (byte)4,
            3 => (byte)2,
            4 => (byte)6,
            _ => throw new ArgumentException($"an image has 1 to 4 channels; got {channels}.", nameof(channels)),
        };
        if (width <= 0 || height <= 0 || pixels.Length != (long)width * height * channels)
            throw new ArgumentException($"{pixels.Length} bytes are not {width}x{height} pixels of {channels} channel(s).", nameof(pixels));

        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = 8;
        header[9] = colorType;

        var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
        {
            var stride = width * channels;
            for (var y = 0; y < height; y++)
            {
                // Filter type 0 (none) before each row.
                zlib.WriteByte(0);
                zlib.Write(pixels.Slice(y * stride, stride));
            }
        }

        var png = new MemoryStream();
        png.Write(Signature);
        WriteChunk(png, "IHDR"u8, header);
        WriteChunk(png, "IDAT"u8, compressed.GetBuffer().AsSpan(0, (int)compressed.Length));
        WriteChunk(png, "IEND"u8, []);
        return png.ToArray();
    }

    private static void WriteChunk(Stream png, ReadOnlySpan<byte> type, ReadOnlySpan<byte> data)
    {
        Span<byte> number = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(number, data.Length);
        png.Write(number);
        png.Write(type);
        png.Write(data);
        var crc = new Crc32();
        crc.Append(type);
        crc.Append(data);
        BinaryPrimitives.WriteUInt32BigEndian(number, crc.GetCurrentHashAsUInt32());
        png.Write(number);
    }
}
