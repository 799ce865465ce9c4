using System.Security.Cryptography;

namespace Runstream.Client;

/// <summary>A file a media value names: its bytes and their SHA-256, the name it is uploaded (and stashed) under.</summary>
internal sealed record MediaFile(string Digest, byte[] Bytes)
{
    public static MediaFile Of(byte[] bytes) => new(Convert.ToHexStringLower(SHA256.HashData(bytes)), bytes);
}
