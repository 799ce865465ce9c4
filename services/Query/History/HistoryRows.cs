using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Runstream.Query.History;

/// <summary>
/// Series of one run pivoted back into rows, one per step with every key logged at it, as the
/// history endpoint, the exports and the live updates show them. A merge over the step-ordered
/// series: no sort, no per-point allocation.
/// </summary>
public static class HistoryRows
{
    /// <summary>The rows in step order; the same <see cref="Row"/> object moves along, so read it before the next.</summary>
    public static IEnumerable<Row> Merge(IReadOnlyList<MetricSeries> series)
    {
        var positions = new int[series.Count];
        var row = new Row(series, positions);
        while (true)
        {
            var step = long.MaxValue;
            for (var k = 0; k < series.Count; k++)
                if (positions[k] < series[k].Count && series[k].Steps[positions[k]] < step)
                    step = series[k].Steps[positions[k]];
            if (step == long.MaxValue)
                yield break;
            row.Step = step;
            row.TimeMs = 0;
            for (var k = 0; k < series.Count; k++)
                if (row.Has(k))
                    row.TimeMs = Math.Max(row.TimeMs, series[k].TimesMs[positions[k]]);
            yield return row;
            for (var k = 0; k < series.Count; k++)
                if (positions[k] < series[k].Count && series[k].Steps[positions[k]] == step)
                    positions[k]++;
        }
    }

    public sealed class Row(IReadOnlyList<MetricSeries> series, int[] positions)
    {
        public long Step { get; internal set; }
        /// <summary>The latest time of the step's points.</summary>
        public long TimeMs { get; internal set; }
        public int KeyCount => series.Count;
        public string Key(int k) => series[k].Key;
        public bool Has(int k) => positions[k] < series[k].Count && series[k].Steps[positions[k]] == Step;
        public double Value(int k) => series[k].Values[positions[k]];

        public Dictionary<string, object> ToObject()
        {
            var row = new Dictionary<string, object> { ["_step"] = Step, ["_timestamp"] = TimeMs / 1000.0 };
            for (var k = 0; k < KeyCount; k++)
                if (Has(k))
                    row[Key(k)] = Value(k);
            return row;
        }
    }

    public static List<Dictionary<string, object>> ToObjects(IReadOnlyList<MetricSeries> series) =>
        [.. Merge(series).Select(row => row.ToObject())];

    /// <summary>One JSON object per line; NaN and infinities as the strings the rest of the API uses.</summary>
    public static async Task WriteJsonLinesAsync(Stream output, IReadOnlyList<MetricSeries> series, CancellationToken cancellation)
    {
        var buffer = new MemoryStream(1 << 17);
        await using var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { SkipValidation = true });
        var names = series.Select(s => JsonEncodedText.Encode(s.Key)).ToArray();
        var step = JsonEncodedText.Encode("_step");
        var timestamp = JsonEncodedText.Encode("_timestamp");
        foreach (var row in Merge(series))
        {
            json.WriteStartObject();
            json.WriteNumber(step, row.Step);
            json.WriteNumber(timestamp, row.TimeMs / 1000.0);
            for (var k = 0; k < row.KeyCount; k++)
                if (row.Has(k))
                    WriteDouble(json, names[k], row.Value(k));
            json.WriteEndObject();
            json.Flush();
            json.Reset();
            buffer.WriteByte((byte)'\n');
            if (buffer.Length >= 1 << 16)
                await FlushToAsync(output, buffer, cancellation);
        }
        await FlushToAsync(output, buffer, cancellation);
    }

    /// <summary>A header of _step, _timestamp and the keys; empty cells where a step lacks a key.</summary>
    public static async Task WriteCsvAsync(Stream output, IReadOnlyList<MetricSeries> series, CancellationToken cancellation)
    {
        var buffer = new MemoryStream(1 << 17);
        var text = new StreamWriter(buffer, new UTF8Encoding(false), 1 << 14);
        text.Write("_step,_timestamp");
        foreach (var s in series)
            text.Write("," + CsvField(s.Key));
        text.Write('\n');
        var number = new char[32];
        foreach (var row in Merge(series))
        {
            text.Write(row.Step);
            text.Write(',');
            Write(text, row.TimeMs / 1000.0, number);
            for (var k = 0; k < row.KeyCount; k++)
            {
                text.Write(',');
                if (row.Has(k))
                    Write(text, row.Value(k), number);
            }
            text.Write('\n');
            if (buffer.Length >= 1 << 16)
            {
                text.Flush();
                await FlushToAsync(output, buffer, cancellation);
            }
        }
        text.Flush();
        await FlushToAsync(output, buffer, cancellation);
    }

    private static void Write(StreamWriter text, double value, char[] scratch)
    {
        value.TryFormat(scratch, out var written, "R", CultureInfo.InvariantCulture);
        text.Write(scratch, 0, written);
    }

    private static void WriteDouble(Utf8JsonWriter json, JsonEncodedText name, double value)
    {
        if (double.IsFinite(value))
            json.WriteNumber(name, value);
        else
            json.WriteString(name, double.IsNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity");
    }

    private static async Task FlushToAsync(Stream output, MemoryStream buffer, CancellationToken cancellation)
    {
        await output.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), cancellation);
        buffer.SetLength(0);
    }

    private static string CsvField(string value) =>
        value.IndexOfAny([',', '"', '\n', '\r']) < 0 ? value : $"\"{value.Replace("\"", "\"\"")}\"";
}
