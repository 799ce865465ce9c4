namespace Runstream.Query.Media;

/// <summary>The content type of a media file, from its first bytes (Ingest let in only PNG, JPEG, GIF images and JSON tables).</summary>
public static class MediaFiles
{
    public static string ContentTypeOf(Stream file)
    {
        Span<byte> start = stackalloc byte[4];
        var read = file.ReadAtLeast(start, start.Length, throwOnEndOfStream: false);
        file.Position = 0;
        return ContentTypeOf(start[..read]);
    }

    public static string ContentTypeOf(ReadOnlySpan<byte> start) =>
        start.StartsWith(Contracts.Wire.ImageHeader.PngSignature[..4]) ? "image/png"
        : start.StartsWith("GIF8"u8) ? "image/gif"
        : start.Length >= 2 && start[0] == 0xFF && start[1] == 0xD8 ? "image/jpeg"
        : "application/json";
}
