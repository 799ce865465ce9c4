using System.Text.Json;

namespace Runstream.Query.Runs.Filtering;

/// <summary>
/// Compiles a MongoDB-style run filter (W&amp;B's public API language) into a SQL condition over
/// the runs' documents. Every leaf is made two-valued (never SQL NULL), so <c>$not</c> and
/// <c>$nor</c> mean what they say for runs that lack a field.
/// </summary>
public static class RunFilter
{
    public const int MaxBytes = 16 * 1024;
    public const int MaxDepth = 8;
    public const int MaxConditions = 200;
    public const int MaxInValues = 1000;
    public const int MaxRegexLength = 256;
    private const int MaxJsonDepth = 256;

    /// <summary>The SQL condition, or "true" for no filter.</summary>
    public static string Compile(string? json, SqlParameters parameters)
    {
        if (string.IsNullOrWhiteSpace(json))
            return "true";
        if (json.Length > MaxBytes)
            throw new QueryProblem("filters", $"the filter is {json.Length} bytes; the limit is {MaxBytes}.");
        if (json.Contains('\0') || json.Contains("\\u0000", StringComparison.OrdinalIgnoreCase))
            throw new QueryProblem("filters", "contains the character U+0000, which no stored value can hold.");
        JsonDocument document;
        try
        {
            // The parser's own depth limit sits far above the filter's, so the compiler, which knows
            // where it is, is the one to refuse a filter nested too deep.
            document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = MaxJsonDepth });
        }
        catch (JsonException e) when (e.Message.Contains("maximum configured depth", StringComparison.Ordinal))
        {
            throw new QueryProblem("filters", $"the filter nests deeper than {MaxDepth} levels (its JSON more than {MaxJsonDepth} deep).");
        }
        catch (JsonException e)
        {
            throw new QueryProblem("filters", $"not valid JSON: {e.Message}");
        }
        using (document)
            return new Compiler(parameters).Filter(document.RootElement, "filters", depth: 1);
    }

    private sealed class Compiler(SqlParameters parameters)
    {
        private int _conditions;

        public string Filter(JsonElement filter, string where, int depth)
        {
            CheckDepth(where, depth);
            if (filter.ValueKind != JsonValueKind.Object)
                throw new QueryProblem(where, $"a filter is a JSON object; got {Describe(filter)}.");
            var parts = new List<string>();
            foreach (var entry in filter.EnumerateObject())
            {
                var at = $"{where}.{entry.Name}";
                parts.Add(entry.Name switch
                {
                    "$and" => Join(List(entry.Value, at, depth), " and ", "true"),
                    "$or" => Join(List(entry.Value, at, depth), " or ", "false"),
                    "$nor" => $"not {Join(List(entry.Value, at, depth), " or ", "false")}",
                    "$not" => $"not {Filter(entry.Value, at, depth + 1)}",
                    _ when entry.Name.StartsWith('$') => throw new QueryProblem(at, $"unknown operator '{entry.Name}' at the top of a filter; use $and, $or, $nor or $not, or a field name."),
                    _ => Field(entry.Name, entry.Value, at, depth),
                });
            }
            return Join(parts, " and ", "true");
        }

        private static void CheckDepth(string where, int depth)
        {
            if (depth > MaxDepth)
                throw new QueryProblem(where, $"the filter nests deeper than {MaxDepth} levels; the limit is {MaxDepth}.");
        }

        private List<string> List(JsonElement value, string where, int depth)
        {
            if (value.ValueKind != JsonValueKind.Array)
                throw new QueryProblem(where, $"expects a list of filters; got {Describe(value)}.");
            var items = new List<string>();
            var i = 0;
            foreach (var item in value.EnumerateArray())
                items.Add(Filter(item, $"{where}[{i++}]", depth + 1));
            return items;
        }

        /// <summary>A field's condition: a value (equality) or an object of operators.</summary>
        private string Field(string field, JsonElement condition, string where, int depth)
        {
            CheckDepth(where, depth);
            var value = RunFields.ToSql(field, parameters, where);
            var tags = RunFields.IsTags(field);
            var summary = RunFields.IsSummary(field);
            if (condition.ValueKind != JsonValueKind.Object || !condition.EnumerateObject().Any(p => p.Name.StartsWith('$')))
                return Leaf(where, Equal(value, condition, tags));

            var parts = new List<string>();
            string? regexOptions = condition.TryGetProperty("$options", out var options) ? OptionsOf(options, $"{where}.$options") : null;
            foreach (var op in condition.EnumerateObject())
            {
                var at = $"{where}.{op.Name}";
                var operand = op.Value;
                parts.Add(op.Name switch
                {
                    "$eq" => Leaf(at, Equal(value, operand, tags)),
                    "$ne" => $"not {Leaf(at, Equal(value, operand, tags))}",
                    "$gt" => Leaf(at, Compare(value, ">", operand, summary, at)),
                    "$gte" => Leaf(at, Compare(value, ">=", operand, summary, at)),
                    "$lt" => Leaf(at, Compare(value, "<", operand, summary, at)),
                    "$lte" => Leaf(at, Compare(value, "<=", operand, summary, at)),
                    "$in" => Leaf(at, In(value, operand, tags, at)),
                    "$nin" => $"not {Leaf(at, In(value, operand, tags, at))}",
                    "$exists" => Leaf(at, operand.ValueKind switch
                    {
                        JsonValueKind.True => $"not {Absent(value)}",
                        JsonValueKind.False => Absent(value),
                        _ => throw new QueryProblem(at, $"$exists takes true or false; got {Describe(operand)}."),
                    }),
                    "$regex" => Leaf(at, Regex(value, operand, regexOptions, tags, at)),
                    "$options" => "true",
                    "$not" => $"not {Field(field, operand, at, depth + 1)}",
                    _ => throw new QueryProblem(at, $"unknown operator '{op.Name}'. Use $eq, $ne, $gt, $gte, $lt, $lte, $in, $nin, $exists, $regex or $not."),
                });
            }
            return Join(parts, " and ", "true");
        }

        private string Leaf(string where, string condition)
        {
            if (++_conditions > MaxConditions)
                throw new QueryProblem(where, $"the filter has more than {MaxConditions} conditions.");
            return $"coalesce({condition}, false)";
        }

        /// <summary>A field a run lacks, or holds null (a run without a group stores <c>"group": null</c>).</summary>
        private static string Absent(string value) => $"({value} is null or {value} = 'null'::jsonb)";

        /// <summary>Mongo's equality: null matches a missing field too; a list field (tags) matches when it contains the value.</summary>
        private string Equal(string value, JsonElement operand, bool tags)
        {
            if (operand.ValueKind == JsonValueKind.Null)
                return Absent(value);
            var json = parameters.AddJson(operand.GetRawText());
            return tags && operand.ValueKind != JsonValueKind.Array
                ? $"{value} @> jsonb_build_array({json}::jsonb)"
                : $"{value} = {json}::jsonb";
        }

        /// <summary>
        /// Order comparisons hold only between values of the same JSON type: 3 is not greater than "2".
        /// A summary value's NaN and ±Infinity are stored as strings: they are numbers, and "NaN" must
        /// not pass for greater than "A" in a comparison of strings.
        /// </summary>
        private string Compare(string value, string op, JsonElement operand, bool summary, string where)
        {
            if (operand.ValueKind is not (JsonValueKind.Number or JsonValueKind.String))
                throw new QueryProblem(where, $"compares with a number or a string; got {Describe(operand)}.");
            var json = parameters.AddJson(operand.GetRawText());
            var types = $"jsonb_typeof({value}) = jsonb_typeof({json}::jsonb)";
            if (summary && operand.ValueKind == JsonValueKind.String)
                types += $" and {value} not in ('\"NaN\"'::jsonb, '\"Infinity\"'::jsonb, '\"-Infinity\"'::jsonb)";
            return $"({types} and {value} {op} {json}::jsonb)";
        }

        private string In(string value, JsonElement operand, bool tags, string where)
        {
            if (operand.ValueKind != JsonValueKind.Array)
                throw new QueryProblem(where, $"takes a list of values; got {Describe(operand)}.");
            if (operand.GetArrayLength() > MaxInValues)
                throw new QueryProblem(where, $"has {operand.GetArrayLength()} values; the limit is {MaxInValues}.");
            var list = parameters.AddJson(operand.GetRawText());
            return tags
                ? $"exists (select 1 from jsonb_array_elements({value}) tag where {list}::jsonb @> jsonb_build_array(tag))"
                : $"exists (select 1 from jsonb_array_elements({list}::jsonb) candidate where candidate = {value})";
        }

        /// <summary>
        /// PostgreSQL's regular expressions (no catastrophic backtracking in its engine); the length is
        /// capped and every list query runs under a statement timeout.
        /// </summary>
        private string Regex(string value, JsonElement operand, string? options, bool tags, string where)
        {
            if (operand.ValueKind != JsonValueKind.String)
                throw new QueryProblem(where, $"takes a string; got {Describe(operand)}.");
            var pattern = operand.GetString()!;
            if (pattern.Length > MaxRegexLength)
                throw new QueryProblem(where, $"the pattern is {pattern.Length} characters; the limit is {MaxRegexLength}.");
            var op = options == "i" ? "~*" : "~";
            var parameter = parameters.Add(pattern);
            return tags
                ? $"exists (select 1 from jsonb_array_elements_text({value}) tag where tag {op} {parameter})"
                : $"(jsonb_typeof({value}) = 'string' and ({value} #>> '{{}}') {op} {parameter})";
        }

        private static string OptionsOf(JsonElement options, string where) =>
            options.ValueKind == JsonValueKind.String && options.GetString() is "" or "i"
                ? options.GetString()!
                : throw new QueryProblem(where, "$options supports \"i\" (case-insensitive) only.");

        private static string Join(List<string> parts, string separator, string empty) =>
            parts.Count == 0 ? empty : parts.Count == 1 ? parts[0] : $"({string.Join(separator, parts)})";

        private static string Describe(JsonElement value) => value.ValueKind switch
        {
            JsonValueKind.Object => "an object",
            JsonValueKind.Array => "a list",
            JsonValueKind.String => $"the string {value.GetRawText()}",
            JsonValueKind.Number => $"the number {value.GetRawText()}",
            _ => value.GetRawText(),
        };
    }
}
