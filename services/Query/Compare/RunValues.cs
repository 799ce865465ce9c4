using System.Text.Json;
using System.Text.Json.Nodes;
using Runstream.Query.History;
using Runstream.Query.Runs.Filtering;
using Runstream.Store.Runs;

namespace Runstream.Query.Compare;

/// <summary>The value of a config or summary column of a run, as views that compare runs read it.</summary>
public static class RunValues
{
    /// <summary>A number, a string, a bool, or null when the run lacks it (or it is an object or a list).</summary>
    public static object? Of(RunDetails run, string column)
    {
        if (column.StartsWith("summary.", StringComparison.Ordinal))
            return run.Summary.GetValueOrDefault(column["summary.".Length..]) is JsonValue value ? SummaryScalar(value) : null;
        if (column.StartsWith("config.", StringComparison.Ordinal))
            return GroupedHistory.ConfigValue(run.Config, column["config.".Length..]) is JsonValue leaf ? Scalar(leaf) : null;
        throw new QueryProblem(column, $"'{column}' is not a config.<path> or summary.<key> column.");
    }

    /// <summary>Every config path with a scalar value, e.g. config.optimizer.lr.</summary>
    public static IEnumerable<string> ConfigColumns(JsonObject config, string prefix = "config.")
    {
        foreach (var (key, node) in config)
        {
            if (node is JsonObject nested)
                foreach (var column in ConfigColumns(nested, $"{prefix}{key}."))
                    yield return column;
            else if (node is JsonValue)
                yield return prefix + key;
        }
    }

    /// <summary>A summary's NaN and ±Infinity are stored as strings; they are numbers.</summary>
    private static object? SummaryScalar(JsonValue value) => Scalar(value) switch
    {
        "NaN" => double.NaN,
        "Infinity" => double.PositiveInfinity,
        "-Infinity" => double.NegativeInfinity,
        var scalar => scalar,
    };

    private static object? Scalar(JsonValue value) => value.GetValueKind() switch
    {
        JsonValueKind.Number => value.GetValue<double>(),
        JsonValueKind.String => value.GetValue<string>(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => null,
    };
}
