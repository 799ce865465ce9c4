using System.Text.Json;
using System.Text.Json.Nodes;

namespace Runstream.Client;

/// <summary>The run's hyperparameters, readable back (<c>run.Config["epochs"]</c>) and updatable.</summary>
public sealed class RunConfig(JsonObject values, Action<JsonObject> sendChanges)
{
    private readonly Lock _lock = new();

    /// <summary>A top-level value, or a nested one by dotted path (<c>"optimizer.lr"</c>); null when absent.</summary>
    public JsonNode? this[string path]
    {
        get
        {
            lock (_lock)
            {
                JsonNode? node = values;
                foreach (var part in path.Split('.'))
                    node = node is JsonObject obj && obj.TryGetPropertyValue(part, out var child) ? child : null;
                return node?.DeepClone();
            }
        }
    }

    public T Get<T>(string path) =>
        this[path] is { } node ? node.Deserialize<T>()! : throw new KeyNotFoundException($"The config has no '{path}'.");

    public bool ContainsKey(string key)
    {
        lock (_lock)
            return values.ContainsKey(key);
    }

    /// <summary>Sets or replaces top-level keys (an anonymous object or a dictionary) and records the change in the run.</summary>
    public void Update(object changes)
    {
        var node = JsonSerializer.SerializeToNode(changes) as JsonObject
            ?? throw new ArgumentException("Config changes must serialize to a JSON object.", nameof(changes));
        lock (_lock)
            foreach (var (key, value) in node)
                values[key] = value?.DeepClone();
        sendChanges(node);
    }

    public string ToJsonString()
    {
        lock (_lock)
            return values.ToJsonString();
    }

    public override string ToString() => ToJsonString();
}
