namespace Runstream.Query.Runs.Filtering;

/// <summary>
/// The fields of a run that filters, sorts and columns name, as jsonb expressions over the
/// run's document (<c>d.data</c>). Names follow the API's JSON (camelCase) and accept W&amp;B's
/// spellings too (<c>display_name</c>, <c>created_at</c>, <c>summary_metrics.acc</c>).
/// </summary>
public static class RunFields
{
    private static readonly Dictionary<string, string> Plain = new(StringComparer.Ordinal)
    {
        ["runId"] = "runId", ["id"] = "runId",
        ["name"] = "name", ["display_name"] = "name", ["displayName"] = "name",
        ["notes"] = "notes",
        ["tags"] = "tags",
        ["group"] = "group",
        ["jobType"] = "jobType", ["job_type"] = "jobType",
        ["createdAt"] = "createdAt", ["created_at"] = "createdAt",
        ["updatedAt"] = "updatedAt", ["updated_at"] = "updatedAt",
        ["finishedAt"] = "finishedAt",
        ["lastStep"] = "lastStep",
        ["exitCode"] = "exitCode",
    };

    public const int MaxPathDepth = 16;

    /// <summary>A jsonb expression for the field; config and summary keys travel as parameters, never as SQL text.</summary>
    public static string ToSql(string field, SqlParameters parameters, string where)
    {
        if (field == "state")
            // Stored as the enum's name ("Finished"); the API speaks lower case ("finished").
            return "to_jsonb(lower(d.data ->> 'state'))";
        if (Plain.TryGetValue(field, out var property))
            return $"(d.data -> '{property}')";
        if (TryStrip(field, "config.", out var configPath))
        {
            var path = configPath.Split('.');
            if (path.Length > MaxPathDepth || path.Any(p => p.Length == 0))
                throw new QueryProblem(where, $"'{field}' is not a config path: keys separated by '.', at most {MaxPathDepth} deep.");
            return $"(d.data -> 'config' #> {parameters.Add(path)})";
        }
        if (TryStrip(field, "summary.", out var key) || TryStrip(field, "summary_metrics.", out key))
            return $"(d.data -> 'summary' -> {parameters.Add(key)})";
        throw new QueryProblem(where, $"unknown field '{field}'. Use runId, name, notes, state, tags, group, jobType, createdAt, updatedAt, finishedAt, lastStep, exitCode, config.<path> or summary.<key>.");
    }

    public static bool IsTags(string field) => field == "tags";

    /// <summary>Summary values: numbers (NaN and ±Infinity kept as the strings "NaN", "Infinity", "-Infinity"), strings and booleans.</summary>
    public static bool IsSummary(string field) =>
        field.StartsWith("summary.", StringComparison.Ordinal) || field.StartsWith("summary_metrics.", StringComparison.Ordinal);

    private static bool TryStrip(string field, string prefix, out string rest)
    {
        rest = field.StartsWith(prefix, StringComparison.Ordinal) ? field[prefix.Length..] : "";
        return rest.Length > 0;
    }
}

/// <summary>A request the API cannot answer, with where the mistake is (a 400).</summary>
public sealed class QueryProblem(string where, string message) : Exception($"{where}: {message}")
{
    public string Where { get; } = where;
}
