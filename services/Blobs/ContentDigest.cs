using System.Diagnostics.CodeAnalysis;

namespace Runstream.Blobs;

/// <summary>
/// A SHA-256 digest as 64 lowercase hex characters. Only values that pass <see cref="TryParse"/>
/// exist, which is what keeps a blob path from ever leaving the store's folder.
/// </summary>
public readonly record struct ContentDigest
{
    public string Hex { get; }

    private ContentDigest(string hex) => Hex = hex;

    public static bool TryParse(string? value, [NotNullWhen(true)] out ContentDigest? digest)
    {
        digest = null;
        if (value is null || value.Length != 64 || !value.All(char.IsAsciiHexDigitLower))
            return false;
        digest = new ContentDigest(value);
        return true;
    }

    public static ContentDigest FromHash(byte[] sha256) => new(Convert.ToHexStringLower(sha256));

    public override string ToString() => Hex;
}
