using Runstream.Projections.Content;
using Runstream.Store.Content;

namespace Runstream.UnitTests;

public sealed class BlobCollectionPlanTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 2, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Grace = TimeSpan.FromHours(24);
    private static readonly DateTimeOffset Old = Now - TimeSpan.FromDays(2);

    private static StoredContent Claim(string entity, string digest, DateTimeOffset lastUsed) =>
        new() { Id = StoredContent.KeyOf(entity, digest), Entity = entity, Digest = digest, LastUsedAt = lastUsed };

    [Fact]
    public void Unreferenced_old_content_goes_with_its_claims()
    {
        var plan = BlobCollectionPlan.Decide([Claim("a", "d1", Old), Claim("b", "d1", Old)], new HashSet<(string, string)>(), [("d1", Old)], Now, Grace);
        Assert.Equal(["a/d1", "b/d1"], plan.Claims);
        Assert.Equal(["d1"], plan.Blobs);
    }

    [Fact]
    public void Content_another_entity_references_stays_but_an_unused_claim_on_it_goes()
    {
        var plan = BlobCollectionPlan.Decide([Claim("a", "d1", Old), Claim("b", "d1", Old)], new HashSet<(string, string)> { ("b", "d1") }, [("d1", Old)], Now, Grace);
        Assert.Equal(["a/d1"], plan.Claims);
        Assert.Empty(plan.Blobs);
    }

    [Fact]
    public void Recent_uploads_and_recently_named_content_wait_out_the_grace_period()
    {
        var recent = Now - TimeSpan.FromHours(1);
        var plan = BlobCollectionPlan.Decide([Claim("a", "d1", recent)], new HashSet<(string, string)>(), [("d1", Old), ("d2", recent)], Now, Grace);
        Assert.Empty(plan.Claims);
        Assert.Empty(plan.Blobs);
    }

    [Fact]
    public void A_blob_nobody_claims_or_references_goes_once_old()
    {
        var plan = BlobCollectionPlan.Decide([], new HashSet<(string, string)> { ("a", "d2") }, [("d1", Old), ("d2", Old)], Now, Grace);
        Assert.Equal(["d1"], plan.Blobs);
    }
}
