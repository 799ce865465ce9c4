using Runstream.Projections.Content;
using Runstream.Projections.Retention;
using Runstream.Store.Artifacts;
using Runstream.Store.Content;
using Runstream.Store.Runs;

namespace Runstream.UnitTests;

public sealed class RetentionLogicTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 2, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_run_is_due_once_deleted_for_the_whole_period_and_never_while_live()
    {
        var period = TimeSpan.FromDays(30);
        Assert.True(RetentionOptions.IsDue(Now - TimeSpan.FromDays(31), Now, period));
        Assert.True(RetentionOptions.IsDue(Now - period, Now, period));
        Assert.False(RetentionOptions.IsDue(Now - TimeSpan.FromDays(29), Now, period));
        Assert.False(RetentionOptions.IsDue(null, Now, period));
    }

    private static ArtifactVersion Version(int index, string digest, string[] loggedBy, string[]? usedBy = null, params string[] aliases) => new()
    {
        Index = index,
        Digest = digest,
        Files = [new ArtifactFileEntry("model.bin", $"file-{digest}", 1)],
        CreatedBy = loggedBy.FirstOrDefault() ?? "",
        LoggedBy = [.. loggedBy],
        UsedBy = [.. usedBy ?? []],
        Aliases = [.. aliases],
    };

    [Fact]
    public void A_version_only_the_purged_run_logged_goes_and_latest_moves_to_the_newest_left()
    {
        var collection = new ArtifactCollection { Versions = [Version(0, "a", ["keep"]), Version(1, "b", ["gone"], null, "latest", "best")] };
        var removed = ArtifactPurge.Remove(collection, "gone");
        Assert.Equal(["b"], removed.Select(v => v.Digest));
        Assert.Equal(["file-b"], removed.SelectMany(v => v.Files).Select(f => f.Digest));
        var left = Assert.Single(collection.Versions);
        Assert.Equal((0, "latest"), (left.Index, Assert.Single(left.Aliases)));
    }

    [Fact]
    public void A_version_another_run_logged_or_uses_stays_without_the_purged_run()
    {
        var collection = new ArtifactCollection
        {
            Versions = [Version(0, "a", ["gone", "other"], ["gone"]), Version(1, "b", ["gone"], ["reader"], "latest"), Version(2, "c", ["third"])],
        };
        Assert.Empty(ArtifactPurge.Remove(collection, "gone"));
        Assert.Equal(["other"], collection.Versions[0].LoggedBy);
        Assert.Equal("other", collection.Versions[0].CreatedBy);
        Assert.Empty(collection.Versions[0].UsedBy);
        // Used by a live run: kept for it, though no run that logged it is left.
        Assert.Equal("", collection.Versions[1].CreatedBy);
        Assert.Equal(["reader"], collection.Versions[1].UsedBy);
        Assert.Equal([0, 1, 2], collection.Versions.Select(v => v.Index));
    }

    [Fact]
    public void Versions_keep_their_numbers_and_new_content_numbers_on_from_the_last()
    {
        var collection = new ArtifactCollection { Versions = [Version(0, "a", ["one"]), Version(1, "b", ["gone"]), Version(2, "c", ["two"], null, "latest")] };
        ArtifactPurge.Remove(collection, "gone");
        Assert.Equal([0, 2], collection.Versions.Select(v => v.Index));
        var projection = new ArtifactCollectionProjection();
        var logged = new ArtifactLogged(1, "e", "p", "model", "model", "d", 1, [], [], null, Now, AcceptedAt: Now);
        var after = projection.Evolve(collection, "e/p/model", new JasperFx.Events.Event<ArtifactLogged>(logged) { StreamKey = "e/p/three" });
        Assert.Equal([0, 2, 3], after!.Versions.Select(v => v.Index));
    }

    [Fact]
    public void A_purge_collects_the_claims_and_blobs_its_run_named_unless_used_since_it_was_deleted()
    {
        var deletedAt = Now - TimeSpan.FromMinutes(5);
        StoredContent Claim(string digest, DateTimeOffset lastUsed) => new() { Id = StoredContent.KeyOf("e", digest), Entity = "e", Digest = digest, LastUsedAt = lastUsed };
        var plan = BlobCollectionPlan.Decide(
            [Claim("old", deletedAt - TimeSpan.FromHours(1)), Claim("again", Now), Claim("shared", deletedAt - TimeSpan.FromHours(1))],
            new HashSet<(string, string)> { ("e", "shared") },
            [("old", deletedAt - TimeSpan.FromHours(1)), ("again", Now), ("shared", deletedAt - TimeSpan.FromHours(1))],
            deletedAt);
        Assert.Equal(["e/old"], plan.Claims);
        Assert.Equal(["old"], plan.Blobs);
    }
}
