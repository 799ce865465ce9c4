using System.Text.Json;
using System.Text.Json.Nodes;

namespace Runstream.Query.Media;

/// <summary>Searching, sorting and paging a logged table's rows: pure, over the parsed file.</summary>
public static class TableRows
{
    /// <summary>
    /// The rows whose cells contain <paramref name="search"/> (case-insensitive; an image by its caption), sorted by the
    /// column <paramref name="sortIndex"/> (numbers before text, nulls last; stable), then the page from <paramref name="offset"/>.
    /// </summary>
    public static (long Total, List<JsonArray> Page) Page(JsonArray rows, int? sortIndex, bool descending, string? search, int offset, int limit)
    {
        IEnumerable<JsonArray> matched = rows.OfType<JsonArray>();
        if (!string.IsNullOrEmpty(search))
            matched = matched.Where(row => row.Any(cell => TextOf(cell)?.Contains(search, StringComparison.OrdinalIgnoreCase) == true));
        var list = matched.ToList();
        if (sortIndex is { } column)
        {
            var ordered = list.Select((row, i) => (row, i)).ToList();
            ordered.Sort((a, b) =>
            {
                var byValue = Compare(a.row[column], b.row[column], descending);
                return byValue != 0 ? byValue : a.i.CompareTo(b.i);
            });
            list = [.. ordered.Select(o => o.row)];
        }
        return (list.Count, [.. list.Skip(offset).Take(limit)]);
    }

    /// <summary>Nulls last either way; numbers before text; otherwise in the asked direction.</summary>
    private static int Compare(JsonNode? a, JsonNode? b, bool descending)
    {
        var (na, nb) = (NumberOf(a), NumberOf(b));
        var (ta, tb) = (TextOf(a), TextOf(b));
        if (ta is null || tb is null)
            return ta is null ? (tb is null ? 0 : 1) : -1;
        int order;
        if (na is { } x && nb is { } y)
            order = x.CompareTo(y);
        else if (na is not null || nb is not null)
            return na is not null ? -1 : 1;
        else
            order = string.Compare(ta, tb, StringComparison.OrdinalIgnoreCase);
        return descending ? -order : order;
    }

    private static double? NumberOf(JsonNode? cell) =>
        cell is JsonValue value && value.GetValueKind() == JsonValueKind.Number ? value.GetValue<double>() : null;

    private static string? TextOf(JsonNode? cell) => cell switch
    {
        null => null,
        JsonObject image => image["caption"]?.GetValue<string>() ?? "",
        JsonValue value when value.GetValueKind() == JsonValueKind.String => value.GetValue<string>(),
        JsonValue value => value.ToJsonString(),
        _ => null,
    };
}
