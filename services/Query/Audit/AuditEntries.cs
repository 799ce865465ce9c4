using System.Text.Json;

namespace Runstream.Query.Audit;

/// <summary>How each kind of run event reads in the audit trail: pure, over the event's stored JSON.</summary>
public static class AuditEntries
{
    /// <summary>Bulk data, not decisions: a run logs thousands of these, and its history, console and media pages show them.</summary>
    public static readonly string[] DataEvents = ["metrics_logged", "console_logged", "media_logged"];

    public static AuditEntry Describe(long version, DateTimeOffset at, string type, JsonElement data)
    {
        var sequence = Long(data, "sequence") is > 0 and var s ? s : (long?)null;
        var (kind, by, detail) = type switch
        {
            "run_started" => ("started", "run", Join(Text(data, "name") is { } name ? $"as '{name}'" : null, Tags(data, "tags"), Config(data, "config"),
                data.TryGetProperty("forkedFrom", out var fork) && fork.ValueKind == JsonValueKind.Object ? $"forked from {Text(fork, "runId")} at step {Long(fork, "step")}" : null)),
            "run_config_updated" => ("config changed", "run", Config(data, "changes") ?? ""),
            "summary_updated" => ("summary set", "run", Keys(data, "values", "strings", "booleans")),
            "metric_defined" => ("metric defined", "run", Join(Text(data, "name"), Text(data, "summary") is { } summary ? $"summary {summary}" : null,
                Text(data, "stepMetric") is { } stepMetric ? $"against {stepMetric}" : null)),
            "run_edited" => ("edited", sequence is null ? Text(data, "editedBy") ?? "api" : "run",
                Join(Text(data, "name") is { } renamed ? $"renamed '{renamed}'" : null, Tags(data, "tags"), Text(data, "notes") is { } notes ? $"notes \"{Cut(notes)}\"" : null)),
            "run_resumed" => ("resumed", "run", $"was {Text(data, "previousState")}"),
            "run_rewound" => ("rewound", "run", $"to step {Long(data, "step")}: later steps superseded; was {Text(data, "previousState")}"),
            "run_finished" => Long(data, "exitCode") is 0 ? ("finished", "run", "exit code 0")
                : ("failed", "run", Join($"exit code {Long(data, "exitCode")}", data.TryGetProperty("failure", out var failure) && failure.ValueKind == JsonValueKind.Object
                    ? $"{Text(failure, "type")}: {Cut(Text(failure, "message") ?? "")}" : null)),
            "run_crashed" => ("crashed", "server", $"not heard from since {Text(data, "lastSeenAt")}"),
            "run_revived" => ("revived", "server", "spoke again after it was marked crashed"),
            "frame_rejected" => ("frame rejected", "server", Text(data, "reason") ?? ""),
            "artifact_logged" => ("artifact logged", "run", $"{Text(data, "name")} ({Text(data, "type")}, {Text(data, "digest")?[..12]})"),
            "artifact_used" => ("artifact used", "run", $"{Text(data, "project")}/{Text(data, "name")}:{Text(data, "version")}"),
            "run_deleted" => ("deleted", Text(data, "deletedBy") ?? "api", ""),
            "run_restored" => ("restored", Text(data, "restoredBy") ?? "api", ""),
            "run_moved" => ("moved", Text(data, "movedBy") ?? "api", $"to project {Text(data, "toProject")}"),
            _ => (type.Replace('_', ' '), "server", ""),
        };
        return new AuditEntry(version, at, kind, sequence, by, detail);
    }

    private static string? Text(JsonElement data, string name) =>
        data.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static long? Long(JsonElement data, string name) =>
        data.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetInt64() : null;

    private static string? Tags(JsonElement data, string name) =>
        data.TryGetProperty(name, out var tags) && tags.ValueKind == JsonValueKind.Array
            ? $"tags [{string.Join(", ", tags.EnumerateArray().Select(t => t.GetString()))}]" : null;

    private static string? Config(JsonElement data, string name) =>
        data.TryGetProperty(name, out var config) && config.ValueKind == JsonValueKind.Object && config.EnumerateObject().Any()
            ? $"config {Cut(config.GetRawText())}" : null;

    private static string Keys(JsonElement data, params string[] maps) =>
        string.Join(", ", maps.Where(m => data.TryGetProperty(m, out var map) && map.ValueKind == JsonValueKind.Object)
            .SelectMany(m => data.GetProperty(m).EnumerateObject().Select(p => $"{p.Name} = {Cut(p.Value.ToString())}")));

    private static string Join(params string?[] parts) => string.Join("; ", parts.Where(p => !string.IsNullOrEmpty(p)));

    /// <summary>The audit shows what changed, not whole documents.</summary>
    private static string Cut(string text) => text.Length <= 200 ? text : $"{text[..200]}…";
}
