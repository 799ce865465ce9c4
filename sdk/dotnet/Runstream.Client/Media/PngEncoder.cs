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

        // Sized for incompressible pixels, so the stream never grows (a copy per doubling, garbage the training loop pays for in GC pauses).
        var stride = width * channels;
        var compressed = new MemoryStream(height * (stride + 1) + 1024);
        using (var zlib = new ZLibStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
        {
            for (var y = 0; y < height; y++)
            {
                // Filter type 0 (none) before each row.
                zlib.WriteByte(0);
                zlib.Write(pixels.Slice(y * stride, stride));
            }
        }

        var idat = compressed.GetBuffer().AsSpan(0, (int)compressed.Length);
        // The file in one allocation: signature, then IHDR, IDAT and IEND, each 12 bytes of framing around its data.
        var png = new byte[Signature.Length + 12 + header.Length + 12 + idat.Length + 12];
        Signature.CopyTo(png, 0);
        var at = WriteChunk(png, Signature.Length, "IHDR"u8, header);
        at = WriteChunk(png, at, "IDAT"u8, idat);
        WriteChunk(png, at, "IEND"u8, []);
        return png;
    }

    /// <summary>Writes a chunk (length, type, data, CRC of type and data) at <paramref name="at"/>; returns where the next one goes.</summary>
    private static int WriteChunk(byte[] png, int at, ReadOnlySpan<byte> type, ReadOnlySpan<byte> data)
    {
        BinaryPrimitives.WriteInt32BigEndian(png.AsSpan(at), data.Length);
        type.CopyTo(png.AsSpan(at + 4));
        data.CopyTo(png.AsSpan(at + 8));
        BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(at + 8 + data.Length), Crc32.HashToUInt32(png.AsSpan(at + 4, 4 + data.Length)));
        return at + 12 + data.Length;
    }
}
