namespace Runstream.Query.Media;

/// <summary>A logged image as the API serves it: with the address of its file.</summary>
public sealed record MediaImageView(string Digest, long Size, int Width, int Height, string Format, string? Caption, string Url);
