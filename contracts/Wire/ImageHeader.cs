using System.Buffers.Binary;

namespace Runstream.Contracts.Wire;

/// <summary>
/// The format and size of an image, read from the start of its file (PNG, JPEG or GIF): the SDKs describe an image file
/// with it, and Ingest checks with it that a frame claims the pixels its file has.
/// </summary>
public static class ImageHeader
{
    /// <summary>How much of a file is read to find its size: a JPEG's size comes after its metadata segments, which stay under this in practice.</summary>
    public const int ReadBytes = 256 * 1024;

    /// <summary>Bytes, not a u8 string: "\x89" there would be U+0089, two bytes in UTF-8.</summary>
    public static ReadOnlySpan<byte> PngSignature => [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    public static (string Format, int Width, int Height)? Read(ReadOnlySpan<byte> start)
    {
        if (start.Length >= 24 && start[..8].SequenceEqual(PngSignature) && start[12..16].SequenceEqual("IHDR"u8))
            return ("png", BinaryPrimitives.ReadInt32BigEndian(start[16..]), BinaryPrimitives.ReadInt32BigEndian(start[20..]));
        if (start.Length >= 10 && (start[..6].SequenceEqual("GIF87a"u8) || start[..6].SequenceEqual("GIF89a"u8)))
            return ("gif", BinaryPrimitives.ReadUInt16LittleEndian(start[6..]), BinaryPrimitives.ReadUInt16LittleEndian(start[8..]));
        return start.Length >= 4 && start[0] == 0xFF && start[1] == 0xD8 ? ReadJpeg(start) : null;
    }

    /// <summary>Walks the JPEG's segments to its start-of-frame, which holds the height and width.</summary>
    private static (string, int, int)? ReadJpeg(ReadOnlySpan<byte> jpeg)
    {
        var at = 2;
        while (at + 9 <= jpeg.Length)
        {
            if (jpeg[at] != 0xFF)
                return null;
            var marker = jpeg[at + 1];
            if (marker == 0xFF)
            {
                at++;
                continue;
            }
            var length = BinaryPrimitives.ReadUInt16BigEndian(jpeg[(at + 2)..]);
            // SOF0..SOF15, leaving out DHT (C4), JPG (C8) and DAC (CC), which share the range.
            if (marker is >= 0xC0 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC)
                return ("jpeg", BinaryPrimitives.ReadUInt16BigEndian(jpeg[(at + 7)..]), BinaryPrimitives.ReadUInt16BigEndian(jpeg[(at + 5)..]));
            if (length < 2)
                return null;
            at += 2 + length;
        }
        return null;
    }
}
