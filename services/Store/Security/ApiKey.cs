using System.Security.Cryptography;
using System.Text;

namespace Runstream.Store.Security;

/// <summary>
/// An API key of an entity (a team). The secret is shown once, at creation; only its SHA-256 is
/// stored. The token is <c>rs_{id}_{secret}</c>: the id finds the key, the secret proves it.
/// </summary>
public sealed class ApiKey
{
    public string Id { get; set; } = "";
    public string Entity { get; set; } = "";
    public string Name { get; set; } = "";
    public string SecretSha256 { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }

    /// <summary>A new key and the token to hand out (once).</summary>
    public static (ApiKey Key, string Token) Create(string entity, string name)
    {
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
        var secret = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        var key = new ApiKey { Id = id, Entity = entity, Name = name, SecretSha256 = Hash(secret), CreatedAt = DateTimeOffset.UtcNow };
        return (key, $"rs_{id}_{secret}");
    }

    /// <summary>The id and secret of a well-formed token; false for anything else.</summary>
    public static bool TryParse(string? token, out string id, out string secret)
    {
        id = secret = "";
        if (token is null || !token.StartsWith("rs_", StringComparison.Ordinal))
            return false;
        var parts = token.Split('_', 3);
        if (parts.Length != 3 || parts[1].Length != 12 || parts[2].Length != 48)
            return false;
        (id, secret) = (parts[1], parts[2]);
        return true;
    }

    public bool Accepts(string secret) =>
        RevokedAt is null && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Hash(secret)), Encoding.ASCII.GetBytes(SecretSha256));

    private static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));
}
