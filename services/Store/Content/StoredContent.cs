namespace Runstream.Store.Content;

/// <summary>
/// Content an entity uploaded. The blob store is shared and content-addressed (the same bytes are
/// stored once), so this is what lets an entity name a digest in an artifact: only content it
/// uploaded itself, never content it merely knows the digest of. It also counts against the
/// entity's storage quota.
/// </summary>
public sealed class StoredContent
{
    /// <summary><c>entity/sha256</c>.</summary>
    public string Id { get; set; } = "";
    public string Entity { get; set; } = "";
    public string Digest { get; set; } = "";
    public long Size { get; set; }
    public DateTimeOffset UploadedAt { get; set; }

    /// <summary>When the content was last uploaded or named in an artifact; the blob collector spares it for a while after.</summary>
    public DateTimeOffset LastUsedAt { get; set; }

    public static string KeyOf(string entity, string digest) => $"{entity}/{digest}";
}
