using System.Text.Json;
using Runstream.Contracts.V1;
using Runstream.Ingest.Frames;

namespace Runstream.Ingest.Content;

/// <summary>What a table file must hold: the frame's columns, its row count of rows as wide as the columns, and cells that are plain JSON values or the images the frame names.</summary>
public static class TableFileRules
{
    public static FrameProblem? Problem(string field, string key, TableRef table, JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("columns", out var columns) || !root.TryGetProperty("data", out var data)
            || columns.ValueKind != JsonValueKind.Array || data.ValueKind != JsonValueKind.Array)
            return new(field, $"{field} ('{key}'): the table file is a JSON object with a \"columns\" array and a \"data\" array of rows.");
        var names = columns.EnumerateArray().Select(c => c.ValueKind == JsonValueKind.String ? c.GetString() : null).ToList();
        if (!names.SequenceEqual(table.Columns))
            return new($"{field}.columns", $"{field} ('{key}'): the frame names the columns [{string.Join(", ", table.Columns)}]; the file has [{string.Join(", ", names)}].");
        if (data.GetArrayLength() != table.RowCount)
            return new($"{field}.row_count", $"{field} ('{key}'): the frame says {table.RowCount:N0} rows; the file has {data.GetArrayLength():N0}.");
        var declared = table.ImageDigests.ToHashSet();
        var found = new HashSet<string>();
        var r = 0;
        foreach (var row in data.EnumerateArray())
        {
            if (row.ValueKind != JsonValueKind.Array || row.GetArrayLength() != table.Columns.Count)
                return new($"{field}.digest", $"{field} ('{key}'): row {r} of the file is not an array of {table.Columns.Count} cells.");
            var c = 0;
            foreach (var cell in row.EnumerateArray())
            {
                if (cell.ValueKind == JsonValueKind.Object)
                {
                    if (!cell.TryGetProperty("_type", out var type) || type.ValueKind != JsonValueKind.String || type.GetString() != "image"
                        || !cell.TryGetProperty("digest", out var image) || image.ValueKind != JsonValueKind.String)
                        return new($"{field}.digest", $"{field} ('{key}'): the cell at row {r}, column '{table.Columns[c]}' is an object but not an image ({{\"_type\": \"image\", \"digest\": ...}}).");
                    if (!declared.Contains(image.GetString()!))
                        return new($"{field}.image_digests", $"{field} ('{key}'): the image at row {r}, column '{table.Columns[c]}' is not among image_digests.");
                    found.Add(image.GetString()!);
                }
                else if (cell.ValueKind == JsonValueKind.Array)
                    return new($"{field}.digest", $"{field} ('{key}'): the cell at row {r}, column '{table.Columns[c]}' is a list; cells are strings, numbers, booleans, null or images.");
                c++;
            }
            r++;
        }
        return found.SetEquals(declared) ? null
            : new($"{field}.image_digests", $"{field} ('{key}'): image_digests names {declared.Count - found.Count} image(s) no cell of the file holds.");
    }
}
