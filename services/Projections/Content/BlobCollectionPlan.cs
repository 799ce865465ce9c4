using Runstream.Store.Content;

namespace Runstream.Projections.Content;

/// <summary>
/// What the blob collector removes, decided from what is stored and what artifacts and media reference. An
/// entity's claim on content (<see cref="StoredContent"/>) goes once none of its artifacts names the
/// content and it has not been uploaded or named for <c>orphanAfter</c>; a blob goes once no artifact of
/// any entity names it, no claim on it remains and it is as old. The grace period covers content
/// uploaded for an artifact whose frame is still on its way.
/// </summary>
public sealed record BlobCollectionPlan(IReadOnlyList<string> Claims, IReadOnlyList<string> Blobs)
{
    public static BlobCollectionPlan Decide(
        IEnumerable<StoredContent> claims,
        IReadOnlySet<(string Entity, string Digest)> referenced,
        IEnumerable<(string Digest, DateTimeOffset WrittenAt)> blobs,
        DateTimeOffset now,
        TimeSpan orphanAfter) => Decide(claims, referenced, blobs, now - orphanAfter);

    /// <summary>As above, with the end of the grace period given: content used or written before <paramref name="cutoff"/> may go.</summary>
    public static BlobCollectionPlan Decide(
        IEnumerable<StoredContent> claims,
        IReadOnlySet<(string Entity, string Digest)> referenced,
        IEnumerable<(string Digest, DateTimeOffset WrittenAt)> blobs,
        DateTimeOffset cutoff)
    {
        var dropped = new List<string>();
        var kept = new HashSet<string>();
        foreach (var claim in claims)
        {
            if (referenced.Contains((claim.Entity, claim.Digest)) || claim.LastUsedAt > cutoff)
                kept.Add(claim.Digest);
            else
                dropped.Add(claim.Id);
        }
        var referencedDigests = referenced.Select(r => r.Digest).ToHashSet();
        var orphans = blobs
            .Where(blob => blob.WrittenAt < cutoff && !kept.Contains(blob.Digest) && !referencedDigests.Contains(blob.Digest))
            .Select(blob => blob.Digest)
            .ToList();
        return new BlobCollectionPlan(dropped, orphans);
    }
}
