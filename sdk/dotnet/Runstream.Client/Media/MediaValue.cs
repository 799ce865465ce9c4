using Runstream.Contracts.V1;

namespace Runstream.Client;

/// <summary>
/// A rich value for <see cref="Run.LogMedia"/>: an <see cref="Image"/>, an <see cref="ImageList"/>, a <see cref="Table"/> or a
/// <see cref="Histogram"/>. Constructing one only keeps the data; encoding and uploading happen in the background.
/// </summary>
public abstract class MediaValue
{
    private protected MediaValue()
    {
    }

    /// <summary>The cell a frame carries and the files it names; throws <see cref="ArgumentException"/> for a value that breaks a limit.</summary>
    internal abstract EncodedMedia Encode();
}

/// <summary>A media value ready to send: the frame's cell, and the files to upload first.</summary>
internal sealed record EncodedMedia(MediaCell Cell, IReadOnlyList<MediaFile> Files);
