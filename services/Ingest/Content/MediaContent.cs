using System.Text.Json;
using Runstream.Blobs;
using Runstream.Contracts.V1;
using Runstream.Contracts.Wire;
using Runstream.Ingest.Frames;

namespace Runstream.Ingest.Content;

/// <summary>
/// Checks a media frame against its files: each is content the entity uploaded, an image has the format and
/// pixels the frame claims, and a table file holds the columns, rows and images the frame names.
/// </summary>
public sealed class MediaContent(IBlobStore blobs, ArtifactContent content)
{
    public async Task<FrameProblem?> ProblemAsync(string entity, MediaLogged media, CancellationToken cancellation)
    {
        var named = media.Rows.SelectMany((row, r) => row.Cells.Select((cell, c) => (Field: $"media.rows[{r}].cells[{c}]", Cell: cell))).ToList();
        var digests = named.SelectMany(n => n.Cell.ValueCase switch
        {
            MediaCell.ValueOneofCase.Images => n.Cell.Images.Images.Select(i => i.Digest),
            MediaCell.ValueOneofCase.Table => n.Cell.Table.ImageDigests.Prepend(n.Cell.Table.Digest),
            _ => [],
        }).Distinct().ToList();
        var held = await content.HeldAsync(entity, digests, cancellation);
        foreach (var (field, cell) in named)
        {
            var key = media.Keys[(int)cell.KeyIndex];
            var problem = cell.ValueCase switch
            {
                MediaCell.ValueOneofCase.Images => await ImagesProblemAsync(field, key, cell.Images, held, cancellation),
                MediaCell.ValueOneofCase.Table => await TableProblemAsync($"{field}.table", key, cell.Table, held, cancellation),
                _ => null,
            };
            if (problem is not null)
                return problem;
        }
        return null;
    }

    private async Task<FrameProblem?> ImagesProblemAsync(string field, string key, ImageList list, HashSet<string> held, CancellationToken cancellation)
    {
        for (var i = 0; i < list.Images.Count; i++)
        {
            var image = list.Images[i];
            var imageField = $"{field}.images[{i}]";
            if (NotHeld($"{imageField}.digest", image.Digest, held) is { } missing)
                return missing;
            await using var file = blobs.OpenRead(ContentDigest.TryParse(image.Digest, out var digest) ? digest.Value : default)!;
            if (file.Length != image.Size)
                return new($"{imageField}.size", $"{imageField} ('{key}') says {image.Size:N0} bytes; its file has {file.Length:N0}.");
            var start = new byte[(int)Math.Min(file.Length, ImageHeader.ReadBytes)];
            await file.ReadExactlyAsync(start, cancellation);
            if (ImageHeader.Read(start) is not var (format, width, height))
                return new($"{imageField}.format", $"{imageField} ('{key}') is not a PNG, JPEG or GIF file that can be read.");
            if (format != image.Format || width != image.Width || height != image.Height)
                return new(imageField, $"{imageField} ('{key}') says {image.Format} {image.Width}x{image.Height}; its file is {format} {width}x{height}.");
        }
        return null;
    }

    private async Task<FrameProblem?> TableProblemAsync(string field, string key, TableRef table, HashSet<string> held, CancellationToken cancellation)
    {
        if (NotHeld($"{field}.digest", table.Digest, held) is { } missing)
            return missing;
        for (var i = 0; i < table.ImageDigests.Count; i++)
            if (NotHeld($"{field}.image_digests[{i}]", table.ImageDigests[i], held) is { } missingImage)
                return missingImage;
        await using var file = blobs.OpenRead(ContentDigest.TryParse(table.Digest, out var digest) ? digest.Value : default)!;
        if (file.Length != table.Size)
            return new($"{field}.size", $"{field} ('{key}') says {table.Size:N0} bytes; its file has {file.Length:N0}.");
        try
        {
            using var document = await JsonDocument.ParseAsync(file, cancellationToken: cancellation);
            return TableFileRules.Problem(field, key, table, document.RootElement);
        }
        catch (JsonException e)
        {
            return new($"{field}.digest", $"{field} ('{key}'): the table file is not valid JSON: {e.Message}");
        }
    }

    private static FrameProblem? NotHeld(string field, string digest, HashSet<string> held) =>
        held.Contains(digest) ? null
        : new(field, $"{field}: this entity has not uploaded content {digest}; upload it with UploadContent before logging the media that names it.");
}
