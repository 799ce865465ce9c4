using System.Text.Json.Nodes;

namespace Runstream.Store.Runs;

/// <summary>How a config update lands on a run's config: top-level keys set or replace, as in W&amp;B's <c>config.update</c>.</summary>
public static class ConfigMerge
{
    public static void Apply(JsonObject config, JsonObject changes)
    {
        foreach (var (key, value) in changes)
            config[key] = value?.DeepClone();
    }

    /// <summary>Dotted paths of every leaf, e.g. <c>optimizer.lr</c>; the columns a runs table can show.</summary>
    public static IEnumerable<string> LeafPaths(JsonObject config, string prefix = "")
    {
        foreach (var (key, value) in config)
        {
            var path = prefix.Length == 0 ? key : $"{prefix}.{key}";
            if (value is JsonObject nested)
                foreach (var leaf in LeafPaths(nested, path))
                    yield return leaf;
            else
                yield return path;
        }
    }
}
