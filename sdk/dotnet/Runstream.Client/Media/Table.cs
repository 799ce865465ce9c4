using System.Text.Json;
using Runstream.Contracts.V1;

namespace Runstream.Client;

/// <summary>A table to log, as wandb.Table: named columns, rows of strings, numbers, booleans, nulls or <see cref="Image"/>s.</summary>
public sealed class Table(IReadOnlyList<string> columns) : MediaValue
{
    public const int MaxRows = 10_000, MaxColumns = 256;

    private readonly string[] _columns = columns.Count is >= 1 and <= MaxColumns && columns.Distinct().Count() == columns.Count
        ? [.. columns]
        : throw new ArgumentException($"a table has 1 to {MaxColumns} columns with distinct names; got [{string.Join(", ", columns)}].", nameof(columns));
    private readonly List<object?[]> _rows = [];

    public IReadOnlyList<string> Columns => _columns;
    public int RowCount => _rows.Count;

    /// <summary>Adds a row of one cell per column: a string, a number, a boolean, null or an <see cref="Image"/>.</summary>
    public Table AddRow(params object?[] cells)
    {
        if (cells.Length != _columns.Length)
            throw new ArgumentException($"the table has {_columns.Length} columns; the row has {cells.Length} cells.", nameof(cells));
        if (_rows.Count == MaxRows)
            throw new InvalidOperationException($"a table holds at most {MaxRows:N0} rows; log a sample of them.");
        foreach (var cell in cells)
            if (cell is not (null or string or bool or Image or byte or short or int or long or float or double or decimal))
                throw new ArgumentException($"a cell is a string, a number, a boolean, null or an Image; got a {cell.GetType().Name}.", nameof(cells));
        _rows.Add([.. cells]);
        return this;
    }

    /// <summary>The file: {"columns": [...], "data": [[...], ...]}, an image cell as {"_type": "image", "digest", ...}.</summary>
    internal override EncodedMedia Encode()
    {
        var images = new Dictionary<string, MediaFile>();
        var json = new MemoryStream();
        using (var writer = new Utf8JsonWriter(json))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("columns");
            foreach (var column in _columns)
                writer.WriteStringValue(column);
            writer.WriteEndArray();
            writer.WriteStartArray("data");
            foreach (var row in _rows)
            {
                writer.WriteStartArray();
                foreach (var cell in row)
                    WriteCell(writer, cell, images);
                writer.WriteEndArray();
            }
            writer.WriteEndArray();
            writer.WriteEndObject();
        }
        var file = MediaFile.Of(json.ToArray());
        var reference = new TableRef { Digest = file.Digest, Size = file.Bytes.Length, Columns = { _columns }, RowCount = _rows.Count, ImageDigests = { images.Keys } };
        return new EncodedMedia(new MediaCell { Table = reference }, [file, .. images.Values]);
    }

    private static void WriteCell(Utf8JsonWriter writer, object? cell, Dictionary<string, MediaFile> images)
    {
        switch (cell)
        {
            case Image image:
                var (file, reference) = image.EncodeImage();
                images.TryAdd(file.Digest, file);
                writer.WriteStartObject();
                writer.WriteString("_type", "image");
                writer.WriteString("digest", reference.Digest);
                writer.WriteNumber("size", reference.Size);
                writer.WriteNumber("width", reference.Width);
                writer.WriteNumber("height", reference.Height);
                writer.WriteString("format", reference.Format);
                if (reference.Caption.Length > 0)
                    writer.WriteString("caption", reference.Caption);
                writer.WriteEndObject();
                break;
            case double d when !double.IsFinite(d):
            case float f when !float.IsFinite(f):
                // JSON has no NaN or infinity; the table shows an empty cell.
                writer.WriteNullValue();
                break;
            default:
                JsonSerializer.Serialize(writer, cell);
                break;
        }
    }
}
