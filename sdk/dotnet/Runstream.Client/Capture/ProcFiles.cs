namespace Runstream.Client.Capture;

/// <summary>The machine's counters as Linux's /proc reports them; null where there is no /proc.</summary>
internal static class ProcFiles
{
    /// <summary>Busy and total jiffies of all CPUs since boot.</summary>
    public static (long Busy, long Total)? CpuTimes()
    {
        if (Read("/proc/stat") is not { } text)
            return null;
        var fields = text.Split('\n')[0].Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(long.Parse).ToArray();
        var idle = fields[3] + (fields.Length > 4 ? fields[4] : 0);
        var total = fields.Sum();
        return (total - idle, total);
    }

    /// <summary>/proc/meminfo's fields, in bytes.</summary>
    public static Dictionary<string, long>? MemInfo()
    {
        if (Read("/proc/meminfo") is not { } text)
            return null;
        var values = new Dictionary<string, long>();
        foreach (var line in text.Split('\n'))
            if (line.Split(':', 2) is [var name, var rest] && rest.Split(' ', StringSplitOptions.RemoveEmptyEntries) is [var kb, ..] && long.TryParse(kb, out var value))
                values[name] = value * 1024;
        return values;
    }

    /// <summary>Bytes read and written by the whole disks (partitions are not counted twice) since boot.</summary>
    public static (long Read, long Written)? DiskBytes()
    {
        if (Read("/proc/diskstats") is not { } text)
            return null;
        long read = 0, written = 0;
        foreach (var line in text.Split('\n'))
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length < 10 || parts[2].StartsWith("loop", StringComparison.Ordinal) || parts[2].StartsWith("ram", StringComparison.Ordinal)
                || !Directory.Exists($"/sys/block/{parts[2]}"))
                continue;
            read += long.Parse(parts[5]) * 512;
            written += long.Parse(parts[9]) * 512;
        }
        return (read, written);
    }

    /// <summary>Bytes received and sent by every interface but loopback since boot.</summary>
    public static (long Received, long Sent)? NetworkBytes()
    {
        if (Read("/proc/net/dev") is not { } text)
            return null;
        long received = 0, sent = 0;
        foreach (var line in text.Split('\n').Skip(2))
        {
            if (line.Split(':', 2) is not [var name, var rest] || name.Trim() == "lo")
                continue;
            var parts = rest.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length < 9)
                continue;
            received += long.Parse(parts[0]);
            sent += long.Parse(parts[8]);
        }
        return (received, sent);
    }

    private static string? Read(string path)
    {
        try
        {
            return File.Exists(path) ? File.ReadAllText(path) : null;
        }
        catch (IOException)
        {
            return null;
        }
    }
}
