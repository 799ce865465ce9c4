using Runstream.Contracts.V1;
using Runstream.Contracts.Wire;

namespace Runstream.Client;

/// <summary>An image to log, as wandb.Image: raw pixels (encoded as PNG in the background) or a PNG, JPEG or GIF file.</summary>
public sealed class Image : MediaValue
{
    /// <summary>The most pixels an image may have (Ingest refuses more).</summary>
    public const long MaxPixels = 4096L * 4096;

    private readonly byte[]? _pixels;
    private readonly int _width, _height, _channels;
    private readonly string? _path;

    public string? Caption { get; }

    private Image(byte[]? pixels, int width, int height, int channels, string? path, string? caption) =>
        (_pixels, _width, _height, _channels, _path, Caption) = (pixels, width, height, channels, path, caption);

    /// <summary>
    /// 8-bit pixels, row by row: 1 channel (grey), 3 (RGB) or 4 (RGBA). They are copied, so the buffer may be
    /// reused at once.
    /// </summary>
    public static Image FromPixels(ReadOnlySpan<byte> pixels, int width, int height, int channels = 3, string? caption = null)
    {
        if (width <= 0 || height <= 0 || pixels.Length != (long)width * height * channels)
            throw new ArgumentException($"{pixels.Length} bytes are not {width}x{height} pixels of {channels} channel(s).", nameof(pixels));
        return new Image(pixels.ToArray(), width, height, channels, null, caption);
    }

    /// <summary>A PNG, JPEG or GIF file; it is read when the run sends it.</summary>
    public static Image FromFile(string path, string? caption = null) => new(null, 0, 0, 0, Path.GetFullPath(path), caption);

    internal override EncodedMedia Encode()
    {
        var (file, reference) = EncodeImage();
        return new EncodedMedia(new MediaCell { Images = new Contracts.V1.ImageList { Images = { reference } } }, [file]);
    }

    internal (MediaFile File, ImageRef Reference) EncodeImage()
    {
        var (bytes, format, width, height) = _path is null
            ? (PngEncoder.Encode(_pixels, _width, _height, _channels), "png", _width, _height)
            : ReadFile(_path);
        if ((long)width * height > MaxPixels)
            throw new ArgumentException($"the image is {width}x{height} = {(long)width * height:N0} pixels; the limit is {MaxPixels:N0} (4096x4096).");
        var file = MediaFile.Of(bytes);
        return (file, new ImageRef { Digest = file.Digest, Size = bytes.Length, Width = width, Height = height, Format = format, Caption = Caption ?? "" });
    }

    private static (byte[], string, int, int) ReadFile(string path)
    {
        var bytes = File.ReadAllBytes(path);
        return ImageHeader.Read(bytes.AsSpan(0, Math.Min(bytes.Length, ImageHeader.ReadBytes))) is var (format, width, height)
            ? (bytes, format, width, height)
            : throw new ArgumentException($"'{path}' is not a PNG, JPEG or GIF file.");
    }
}
