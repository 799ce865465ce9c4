using System.Text;

namespace Runstream.Store.ConsoleOutput;

/// <summary>
/// What is kept of a run's console output. A frame of lines is always applied (its place in the
/// run's sequence never waits on its size); what goes beyond the limits is cut, and a marker line
/// says so: a line over <see cref="MaxLineLength"/> characters keeps its start, and once a run has
/// written <see cref="MaxBytesPerRun"/> bytes, one marker ends its output.
/// </summary>
public static class ConsoleLimits
{
    public const int MaxLineLength = 10_000;
    public const long MaxBytesPerRun = 32L * 1024 * 1024;

    /// <summary>The lines to keep after <paramref name="bytesBefore"/> bytes, their size, and whether the run's limit is now reached.</summary>
    public static (ConsoleLine[] Kept, long Bytes, bool LimitReached) Keep(IEnumerable<ConsoleLine> lines, long bytesBefore, bool limitReachedBefore,
        long maxBytes = MaxBytesPerRun)
    {
        if (limitReachedBefore)
            return ([], 0, true);
        var kept = new List<ConsoleLine>();
        long bytes = 0;
        foreach (var line in lines)
        {
            var text = Storable(line.Text);
            var size = Encoding.UTF8.GetByteCount(text);
            if (bytesBefore + bytes + size > maxBytes)
            {
                kept.Add(line with { Stderr = true, Text = $"[console output stops here: the run reached its limit of {maxBytes / (1024 * 1024)} MiB; later lines are not kept]" });
                return ([.. kept], bytes, true);
            }
            kept.Add(line with { Text = text });
            bytes += size;
        }
        return ([.. kept], bytes, false);
    }

    /// <summary>Cut to <see cref="MaxLineLength"/> with a marker, and without NUL (which PostgreSQL text cannot hold).</summary>
    public static string Storable(string text)
    {
        if (text.Length > MaxLineLength)
            text = $"{text[..MaxLineLength]} … [line cut: {text.Length - MaxLineLength:N0} more characters]";
        return text.Contains('\0') ? text.Replace('\0', '\uFFFD') : text;
    }
}
