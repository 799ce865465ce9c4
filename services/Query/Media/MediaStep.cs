using System.Text.Json.Serialization;
using Runstream.Store.Media;

namespace Runstream.Query.Media;

/// <summary>A key's value at one step: images, a table (its rows come from /media/table) or a histogram.</summary>
public sealed record MediaStep(
    long Step,
    long TimeUnixMs,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] MediaImageView[]? Images,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] MediaTable? Table,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] MediaHistogram? Histogram);
