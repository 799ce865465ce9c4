using Runstream.Contracts.V1;
using Runstream.Store.Media;
using RunTextRules = Runstream.Store.Runs.RunTextRules;

namespace Runstream.Ingest.Frames;

/// <summary>
/// The bounds on a media frame that the frame alone shows (<see cref="MediaLimits"/>); what its files hold is
/// checked against the files by <see cref="Content.MediaContent"/>.
/// </summary>
public static class MediaRules
{
    public static FrameProblem? Problem(MediaLogged media)
    {
        if (media.Keys.Count > FrameValidator.MaxKeysPerFrame)
            return new("media.keys", $"media.keys has {media.Keys.Count} keys; the limit is {FrameValidator.MaxKeysPerFrame}.");
        for (var k = 0; k < media.Keys.Count; k++)
            if (RunTextRules.KeyProblem($"media.keys[{k}]", media.Keys[k]) is { } keyProblem)
                return new($"media.keys[{k}]", keyProblem);
        for (var r = 0; r < media.Rows.Count; r++)
        {
            var row = media.Rows[r];
            var field = $"media.rows[{r}]";
            if (row.Step < 0)
                return new($"{field}.step", $"{field}.step is {row.Step}; steps start at 0.");
            if (row.TimeUnixMs is < 0 or > FrameValidator.MaxTimeUnixMs)
                return new($"{field}.time_unix_ms", $"{field}.time_unix_ms is {row.TimeUnixMs}; Unix milliseconds run from 0 to {FrameValidator.MaxTimeUnixMs}.");
            for (var c = 0; c < row.Cells.Count; c++)
            {
                var cell = row.Cells[c];
                var cellField = $"{field}.cells[{c}]";
                if (cell.KeyIndex >= media.Keys.Count)
                    return new($"{cellField}.key_index", $"{cellField} refers to key {cell.KeyIndex}, but the frame names {media.Keys.Count} keys.");
                var key = media.Keys[(int)cell.KeyIndex];
                var problem = cell.ValueCase switch
                {
                    MediaCell.ValueOneofCase.Images => ImagesProblem(cellField, key, cell.Images),
                    MediaCell.ValueOneofCase.Table => TableProblem($"{cellField}.table", key, cell.Table),
                    MediaCell.ValueOneofCase.Histogram => HistogramProblem($"{cellField}.histogram", key, cell.Histogram),
                    _ => new FrameProblem(cellField, $"{cellField} ('{key}') carries no value; a cell holds images, a table or a histogram."),
                };
                if (problem is not null)
                    return problem;
            }
        }
        return null;
    }

    private static FrameProblem? ImagesProblem(string field, string key, ImageList list)
    {
        if (list.Images.Count is 0 or > MediaLimits.MaxImagesPerValue)
            return new($"{field}.images", $"{field} ('{key}') has {list.Images.Count} images; a value holds 1 to {MediaLimits.MaxImagesPerValue}.");
        for (var i = 0; i < list.Images.Count; i++)
            if (ImageProblem($"{field}.images[{i}]", key, list.Images[i]) is { } problem)
                return problem;
        return null;
    }

    public static FrameProblem? ImageProblem(string field, string key, ImageRef image)
    {
        if (DigestProblem($"{field}.digest", image.Digest) is { } digest)
            return digest;
        if (image.Size is <= 0 or > MediaLimits.MaxImageBytes)
            return new($"{field}.size", $"{field} ('{key}') is {image.Size:N0} bytes; an image file holds 1 to {MediaLimits.MaxImageBytes:N0} bytes (16 MiB).");
        if (image.Width <= 0 || image.Height <= 0)
            return new(field, $"{field} ('{key}') is {image.Width}x{image.Height} pixels; both sides must be at least 1.");
        if ((long)image.Width * image.Height > MediaLimits.MaxImagePixels)
            return new(field, $"{field} ('{key}') is {image.Width}x{image.Height} = {(long)image.Width * image.Height:N0} pixels; the limit is {MediaLimits.MaxImagePixels:N0} (4096x4096). Resize it before logging.");
        if (!MediaLimits.ImageFormats.Contains(image.Format))
            return new($"{field}.format", $"{field}.format is '{image.Format}'; images are {string.Join(", ", MediaLimits.ImageFormats)}.");
        if (image.Caption.Length > FrameValidator.MaxTextLength)
            return new($"{field}.caption", $"{field}.caption is {image.Caption.Length} characters long; the limit is {FrameValidator.MaxTextLength}.");
        return FrameValidator.TextFieldProblem($"{field}.caption", image.Caption);
    }

    private static FrameProblem? TableProblem(string field, string key, TableRef table)
    {
        if (DigestProblem($"{field}.digest", table.Digest) is { } digest)
            return digest;
        if (table.Size is <= 0 or > MediaLimits.MaxTableBytes)
            return new($"{field}.size", $"{field} ('{key}') is {table.Size:N0} bytes; a table file holds 1 to {MediaLimits.MaxTableBytes:N0} bytes (32 MiB).");
        if (table.Columns.Count is 0 or > MediaLimits.MaxTableColumns)
            return new($"{field}.columns", $"{field} ('{key}') has {table.Columns.Count} columns; a table has 1 to {MediaLimits.MaxTableColumns}.");
        for (var c = 0; c < table.Columns.Count; c++)
            if (RunTextRules.KeyProblem($"{field}.columns[{c}]", table.Columns[c]) is { } column)
                return new($"{field}.columns[{c}]", column);
        if (table.Columns.Distinct().Count() != table.Columns.Count)
            return new($"{field}.columns", $"{field} ('{key}') names a column twice; column names are unique.");
        if (table.RowCount is < 0 or > MediaLimits.MaxTableRows)
            return new($"{field}.row_count", $"{field} ('{key}') has {table.RowCount:N0} rows; the limit is {MediaLimits.MaxTableRows:N0}. Log a sample of the rows.");
        for (var i = 0; i < table.ImageDigests.Count; i++)
            if (DigestProblem($"{field}.image_digests[{i}]", table.ImageDigests[i]) is { } image)
                return image;
        return null;
    }

    private static FrameProblem? HistogramProblem(string field, string key, Histogram histogram)
    {
        if (histogram.Counts.Count is 0 or > MediaLimits.MaxHistogramBins)
            return new($"{field}.counts", $"{field} ('{key}') has {histogram.Counts.Count} bins; a histogram has 1 to {MediaLimits.MaxHistogramBins}.");
        if (histogram.Edges.Count != histogram.Counts.Count + 1)
            return new($"{field}.edges", $"{field} ('{key}') has {histogram.Edges.Count} edges for {histogram.Counts.Count} bins; there is one edge more than bins.");
        for (var i = 0; i < histogram.Edges.Count; i++)
            if (!double.IsFinite(histogram.Edges[i]) || (i > 0 && histogram.Edges[i] < histogram.Edges[i - 1]))
                return new($"{field}.edges[{i}]", $"{field}.edges[{i}] is {histogram.Edges[i]}; edges are finite and ascending.");
        for (var i = 0; i < histogram.Counts.Count; i++)
            if (histogram.Counts[i] < 0)
                return new($"{field}.counts[{i}]", $"{field}.counts[{i}] is {histogram.Counts[i]}; counts are 0 or more.");
        return null;
    }

    private static FrameProblem? DigestProblem(string field, string digest) =>
        Blobs.ContentDigest.TryParse(digest, out _) ? null : new(field, $"{field} must be a SHA-256 as 64 lowercase hex characters.");
}
