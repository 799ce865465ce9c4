namespace Runstream.Ingest.Content;

/// <summary>How many bytes of uploaded content an entity may hold (<c>Ingest:Quotas</c>); 0 means no quota.</summary>
public sealed class StorageQuotaOptions
{
    /// <summary>By entity; entities not listed use <see cref="DefaultStorageBytes"/>.</summary>
    public Dictionary<string, long> StorageBytes { get; set; } = [];

    public long DefaultStorageBytes { get; set; }

    public long QuotaOf(string entity) => StorageBytes.TryGetValue(entity, out var quota) ? quota : DefaultStorageBytes;
}
