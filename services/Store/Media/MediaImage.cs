namespace Runstream.Store.Media;

/// <summary>One logged image: its file by digest, its size in pixels (read from the file by Ingest) and its caption.</summary>
public sealed record MediaImage(string Digest, long Size, int Width, int Height, string Format, string? Caption);
