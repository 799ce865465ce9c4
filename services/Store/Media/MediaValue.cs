using System.Text.Json.Serialization;
using Wire = Runstream.Contracts.V1;

namespace Runstream.Store.Media;

/// <summary>One media value at a step, as stored and served: exactly one of its fields is set.</summary>
public sealed record MediaValue(MediaImage[]? Images = null, MediaTable? Table = null, MediaHistogram? Histogram = null)
{
    public const string ImagesKind = "images", TableKind = "table", HistogramKind = "histogram";

    [JsonIgnore]
    public string Kind => Images is not null ? ImagesKind : Table is not null ? TableKind : HistogramKind;

    /// <summary>Every file the value names: the run may serve exactly these.</summary>
    public string[] Digests() =>
        Images is not null ? [.. Images.Select(i => i.Digest).Distinct()]
        : Table is not null ? [Table.Digest, .. Table.ImageDigests]
        : [];

    /// <summary>Bytes of the files the value names, as the frame declares them (Ingest checked them against the files).</summary>
    [JsonIgnore]
    public long Bytes => Images?.Sum(i => i.Size) ?? Table?.Size ?? 0;

    public static MediaValue From(Wire.MediaCell cell) => cell.ValueCase switch
    {
        Wire.MediaCell.ValueOneofCase.Images => new(Images: [.. cell.Images.Images.Select(i =>
            new MediaImage(i.Digest, i.Size, i.Width, i.Height, i.Format, i.Caption.Length == 0 ? null : i.Caption))]),
        Wire.MediaCell.ValueOneofCase.Table => new(Table: new MediaTable(cell.Table.Digest, cell.Table.Size,
            [.. cell.Table.Columns], cell.Table.RowCount, [.. cell.Table.ImageDigests])),
        Wire.MediaCell.ValueOneofCase.Histogram => new(Histogram: new MediaHistogram([.. cell.Histogram.Edges], [.. cell.Histogram.Counts])),
        _ => throw new FormatException("A media cell carries an image list, a table or a histogram."),
    };

    /// <summary>The bytes of files a frame's cells name.</summary>
    public static long BytesOf(Wire.MediaLogged media) =>
        media.Rows.SelectMany(row => row.Cells).Sum(cell => cell.ValueCase == Wire.MediaCell.ValueOneofCase.Histogram ? 0 : From(cell).Bytes);
}
