using System.Buffers.Text;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Runstream.Query.Runs.Filtering;

/// <summary>
/// Sorting and keyset pagination. The sort key is (has the field, its jsonb value, the run's id):
/// runs without the field come last in either direction, jsonb orders numbers numerically and
/// strings as text, and the id makes the order total, so a cursor (the last row's key) resumes
/// exactly after it however many runs arrive meanwhile.
/// </summary>
public sealed record RunOrder(string Field, bool Descending)
{
    public static readonly RunOrder Default = new("createdAt", true);

    public static RunOrder Parse(string? order)
    {
        if (string.IsNullOrWhiteSpace(order))
            return Default;
        order = order.Trim();
        if (order.Contains('\0'))
            throw new QueryProblem("order", "contains the character U+0000.");
        return order[0] switch
        {
            '-' => new RunOrder(order[1..], true),
            '+' => new RunOrder(order[1..], false),
            _ => new RunOrder(order, false),
        };
    }

    /// <summary>The select list of the sort key, named k_present, k_value, k_id.</summary>
    public string KeyColumns(SqlParameters parameters)
    {
        var value = RunFields.ToSql(Field, parameters, "order");
        return $"({value} is not null) as k_present, coalesce({value}, 'null'::jsonb) as k_value, d.id as k_id";
    }

    public string OrderBy => Descending
        ? "k_present desc, k_value desc, k_id desc"
        : "k_present desc, k_value asc, k_id asc";

    /// <summary>Rows after the cursor's row, in this order.</summary>
    public string After(Cursor cursor, SqlParameters parameters)
    {
        var present = cursor.Present ? "true" : "false";
        var value = parameters.AddJson(cursor.Value);
        var id = parameters.Add(cursor.Id);
        var op = Descending ? "<" : ">";
        // Present rows first: past the cursor means "fewer present", or equal presence and past (value, id).
        return $"(k_present < {present} or (k_present = {present} and (k_value, k_id) {op} ({value}::jsonb, {id})))";
    }

    public sealed record Cursor(bool Present, string Value, string Id)
    {
        public string Encode() =>
            Base64Url.EncodeToString(Encoding.UTF8.GetBytes(new JsonArray(Present, JsonNode.Parse(Value), Id).ToJsonString()));

        public static Cursor Decode(string text)
        {
            try
            {
                var array = JsonNode.Parse(Encoding.UTF8.GetString(Base64Url.DecodeFromChars(text))) as JsonArray;
                if (array is [JsonValue present, var value, JsonValue id])
                    return new Cursor(present.GetValue<bool>(), value?.ToJsonString() ?? "null", id.GetValue<string>());
            }
            catch (Exception e) when (e is FormatException or JsonException or InvalidOperationException)
            {
            }
            throw new QueryProblem("cursor", "not a cursor this API returned (pass nextCursor unchanged, with the same filters and order).");
        }
    }
}
