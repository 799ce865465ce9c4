using JasperFx.Events;
using Runstream.Store.Artifacts;
using Runstream.Store.Runs;

namespace Runstream.UnitTests;

public sealed class ArtifactCollectionProjectionTests
{
    private readonly ArtifactCollectionProjection _projection = new();

    [Fact]
    public void Versions_are_numbered_by_content_and_latest_follows_new_content()
    {
        ArtifactCollection? collection = null;
        collection = Apply(collection, "run1", Logged("aaa"));
        collection = Apply(collection, "run2", Logged("aaa"));
        collection = Apply(collection, "run3", Logged("bbb", "best"));
        collection = Apply(collection, "run4", Logged("aaa"));

        Assert.Equal(["v0", "v1"], collection!.Versions.Select(v => v.Version));
        Assert.Equal(["run1", "run2", "run4"], collection.Versions[0].LoggedBy);
        Assert.Equal("run3", collection.Versions[1].CreatedBy);
        Assert.Equal(["latest", "best"], collection.Versions[1].Aliases);
        Assert.Empty(collection.Versions[0].Aliases);
        Assert.Same(collection.Versions[1], collection.Find("latest"));
        Assert.Same(collection.Versions[0], collection.Find("v0"));
        Assert.Same(collection.Versions[1], collection.Find("1"));
        Assert.Null(collection.Find("v7"));
    }

    [Fact]
    public void An_alias_moves_to_the_version_that_claims_it()
    {
        var collection = Apply(null, "run1", Logged("aaa", "best"));
        collection = Apply(collection, "run2", Logged("bbb"));
        collection = Apply(collection, "run3", Logged("aaa", "best"));
        collection = Apply(collection, "run4", Logged("ccc", "best"));

        Assert.Equal(["latest", "best"], collection!.Versions[2].Aliases);
        Assert.Empty(collection.Versions[0].Aliases);
        Assert.Empty(collection.Versions[1].Aliases);
    }

    /// <summary>Failed before: versions were numbered in the order the events were applied.</summary>
    [Fact]
    public void Versions_are_numbered_in_the_order_Ingest_accepted_them_whatever_order_they_apply_in()
    {
        var first = DateTimeOffset.UnixEpoch.AddSeconds(1);
        var collection = Apply(null, "run2", Logged("bbb") with { AcceptedAt = first.AddSeconds(1) });
        collection = Apply(collection, "run1", Logged("aaa") with { AcceptedAt = first });

        Assert.Equal(["aaa", "bbb"], collection!.Versions.Select(v => v.Digest));
        Assert.Equal(["v0", "v1"], collection.Versions.Select(v => v.Version));
        Assert.Same(collection.Versions[1], collection.Find("latest"));
        Assert.Equal("run1", collection.Find("v0")!.CreatedBy);
    }

    private ArtifactCollection? Apply(ArtifactCollection? collection, string runId, ArtifactLogged logged)
    {
        var e = new Event<ArtifactLogged>(logged) { StreamKey = $"default/cats/{runId}" };
        return _projection.Evolve(collection, ArtifactCollection.KeyOf("default", "cats", "model"), e);
    }

    private static ArtifactLogged Logged(string digest, params string[] aliases) =>
        new(2, "default", "cats", "model", "model", digest, 10, [new ArtifactFileEntry("model.onnx", digest, 10)], aliases, null, DateTimeOffset.UnixEpoch);
}
