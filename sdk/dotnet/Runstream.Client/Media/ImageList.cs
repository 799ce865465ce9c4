using Runstream.Contracts.V1;

namespace Runstream.Client;

/// <summary>Several images under one key at one step (a batch of predictions, say), shown side by side.</summary>
public sealed class ImageList(IEnumerable<Image> images) : MediaValue
{
    public const int MaxImages = 256;

    private readonly Image[] _images = [.. images];

    internal override EncodedMedia Encode()
    {
        if (_images.Length is 0 or > MaxImages)
            throw new ArgumentException($"a list holds 1 to {MaxImages} images; got {_images.Length}.");
        var encoded = _images.Select(image => image.EncodeImage()).ToList();
        var list = new Contracts.V1.ImageList { Images = { encoded.Select(e => e.Reference) } };
        return new EncodedMedia(new MediaCell { Images = list }, [.. encoded.Select(e => e.File)]);
    }
}
