using System.Text.Json.Nodes;
using Runstream.Store.Runs;

namespace Runstream.UnitTests;

public sealed class ConfigMergeTests
{
    [Fact]
    public void Updates_set_or_replace_top_level_keys()
    {
        var config = JsonNode.Parse("""{"epochs":10,"optimizer":{"name":"sgd","lr":0.1}}""")!.AsObject();
        ConfigMerge.Apply(config, JsonNode.Parse("""{"epochs":20,"optimizer":{"name":"adam"},"seed":1}""")!.AsObject());
        Assert.Equal("""{"epochs":20,"optimizer":{"name":"adam"},"seed":1}""", config.ToJsonString());
    }

    [Fact]
    public void Leaf_paths_name_nested_keys_with_dots()
    {
        var config = JsonNode.Parse("""{"epochs":10,"optimizer":{"name":"sgd","betas":{"b1":0.9}},"layers":[1,2]}""")!.AsObject();
        Assert.Equal(["epochs", "optimizer.name", "optimizer.betas.b1", "layers"], ConfigMerge.LeafPaths(config));
    }

    [Fact]
    public void Run_keys_round_trip_and_refuse_other_shapes()
    {
        var key = new RunKey("default", "cats", "abc");
        Assert.Equal(key, RunKey.Parse(key.ToString()));
        Assert.Equal("default/cats", key.ProjectKey);
        Assert.Throws<FormatException>(() => RunKey.Parse("default/cats"));
    }
}
