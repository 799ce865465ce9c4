using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text.Json;
using Google.Protobuf;
using Runstream.Contracts.V1;

namespace Runstream.Client.Spool;

/// <summary>What a spool directory says about its run.</summary>
internal sealed record SpoolInfo(string Project, string RunId);

/// <summary>
/// A run's frames on local disk, written before they are sent, so that neither a network outage
/// nor a crash of the training process loses what was logged. One directory per run holds
/// <c>run.json</c>, append-only segment files of checksummed records, and <c>acked</c>, the
/// highest sequence Ingest acknowledged. Fully acknowledged segments are deleted.
/// </summary>
/// <remarks>
/// A record is [length: int32 LE][CRC-32 of the frame: uint32 LE][frame: protobuf]. A record cut
/// short by a crash fails its length or checksum and ends the readable spool there. Records are
/// flushed to the operating system as they are written, so they survive the process dying.
/// </remarks>
internal sealed class RunSpool : IDisposable
{
    private const string InfoFile = "run.json";
    private const string AckedFile = "acked";
    private const string SegmentPrefix = "frames-";
    private const long SegmentBytes = 8 * 1024 * 1024;
    private const int HeaderBytes = 8;

    private const string LockFile = "lock";

    private readonly Lock _lock = new();
    private FileStream? _segment;
    private FileStream? _inUse;
    private long _segmentLastSequence;

    public string Directory { get; }
    public SpoolInfo Info { get; }

    /// <summary>Highest sequence written to the spool.</summary>
    public long LastSequence { get; private set; }

    /// <summary>Highest step of any metric row in the spool, -1 when none.</summary>
    public long LastStep { get; private set; } = -1;

    /// <summary>Highest sequence Ingest acknowledged; everything up to it may be forgotten.</summary>
    public long Acked { get; private set; }

    private RunSpool(string directory, SpoolInfo info, long lastSequence, long acked)
    {
        Directory = directory;
        Info = info;
        LastSequence = lastSequence;
        Acked = acked;
    }

    public static string DirectoryFor(string root, string project, string runId) => Path.Combine(root, project, runId);

    /// <summary>Opens the run's spool, creating it when new; an existing one continues where it ended.</summary>
    public static RunSpool OpenOrCreate(string root, SpoolInfo info)
    {
        var directory = DirectoryFor(root, info.Project, info.RunId);
        if (File.Exists(Path.Combine(directory, InfoFile)))
            return Open(directory);
        System.IO.Directory.CreateDirectory(directory);
        var inUse = Claim(directory);
        File.WriteAllText(Path.Combine(directory, InfoFile), JsonSerializer.Serialize(info));
        return new RunSpool(directory, info, lastSequence: 0, acked: 0) { _inUse = inUse };
    }

    /// <summary>
    /// A spool has one user at a time: a live run or a sync. The lock is an exclusive flock on
    /// <c>lock</c> (what .NET takes for FileShare.None on Linux), the same the Python SDK takes, so
    /// neither SDK's sync touches a spool the other's run is still writing.
    /// </summary>
    private static FileStream Claim(string directory)
    {
        try
        {
            return new FileStream(Path.Combine(directory, LockFile), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e)
        {
            throw new SpoolInUseException($"The spool {directory} is in use by another process (a run still logging, or a sync).", e);
        }
    }

    /// <exception cref="SpoolInUseException">Another process has the spool open.</exception>
    public static RunSpool Open(string directory)
    {
        var inUse = Claim(directory);
        var info = JsonSerializer.Deserialize<SpoolInfo>(File.ReadAllText(Path.Combine(directory, InfoFile)))
            ?? throw new InvalidDataException($"{directory}/{InfoFile} is empty.");
        var ackedPath = Path.Combine(directory, AckedFile);
        var acked = File.Exists(ackedPath) && long.TryParse(File.ReadAllText(ackedPath), out var value) ? value : 0;
        var spool = new RunSpool(directory, info, lastSequence: acked, acked) { _inUse = inUse };
        foreach (var frame in spool.ReadFrom(acked + 1))
            spool.Track(frame);
        return spool;
    }

    /// <summary>Every run spool at or below <paramref name="directory"/>.</summary>
    public static IEnumerable<string> FindAll(string directory) =>
        System.IO.Directory.EnumerateFiles(directory, InfoFile, SearchOption.AllDirectories)
            .Select(path => Path.GetDirectoryName(path)!)
            .Order(StringComparer.Ordinal);

    public void Append(RunFrame frame)
    {
        var size = frame.CalculateSize();
        var record = new byte[HeaderBytes + size];
        frame.WriteTo(record.AsSpan(HeaderBytes));
        BinaryPrimitives.WriteInt32LittleEndian(record, size);
        BinaryPrimitives.WriteUInt32LittleEndian(record.AsSpan(4), Crc32.HashToUInt32(record.AsSpan(HeaderBytes)));
        lock (_lock)
        {
            if (_segment is null || _segment.Length >= SegmentBytes)
                StartSegment(frame.Sequence);
            _segment!.Write(record);
            _segment.Flush();
            _segmentLastSequence = frame.Sequence;
            Track(frame);
        }
    }

    private void Track(RunFrame frame)
    {
        LastSequence = frame.Sequence;
        if (frame.Metrics is { } metrics)
            foreach (var row in metrics.Rows)
                LastStep = Math.Max(LastStep, row.Step);
    }

    /// <summary>Continues a run the server knows further than this spool: frames up to <paramref name="sequence"/> are applied there.</summary>
    public void SkipTo(long sequence)
    {
        lock (_lock)
        {
            if (sequence <= LastSequence)
                return;
            LastSequence = sequence;
        }
        Acknowledge(sequence);
    }

    /// <summary>Forces what was written to the disk itself, for the end of a run.</summary>
    public void FlushToDisk()
    {
        lock (_lock)
            _segment?.Flush(flushToDisk: true);
    }

    /// <summary>Records an acknowledgement and deletes the segments it covers entirely.</summary>
    public void Acknowledge(long sequence)
    {
        lock (_lock)
        {
            if (sequence <= Acked)
                return;
            Acked = sequence;
            var temporary = Path.Combine(Directory, AckedFile + ".tmp");
            File.WriteAllText(temporary, sequence.ToString(System.Globalization.CultureInfo.InvariantCulture));
            File.Move(temporary, Path.Combine(Directory, AckedFile), overwrite: true);

            if (_segment is not null && _segmentLastSequence <= sequence)
            {
                _segment.Dispose();
                _segment = null;
            }
            var segments = Segments();
            for (var i = 0; i < segments.Count; i++)
            {
                var isOpen = _segment is not null && segments[i].Path == _segment.Name;
                // A segment is covered when the next one starts at or below the acknowledged sequence + 1.
                var nextFirst = i + 1 < segments.Count ? segments[i + 1].FirstSequence : LastSequence + 1;
                if (!isOpen && nextFirst - 1 <= sequence)
                    File.Delete(segments[i].Path);
            }
        }
    }

    /// <summary>The spooled frames from <paramref name="sequence"/> on, in order, as far as they are written.</summary>
    public IEnumerable<RunFrame> ReadFrom(long sequence)
    {
        using var cursor = OpenCursor(sequence);
        while (cursor.TryRead(out var frame))
            yield return frame;
    }

    /// <summary>A reader that follows the spool as it grows, from <paramref name="sequence"/> on.</summary>
    public SpoolCursor OpenCursor(long sequence) => new(this, sequence);

    /// <summary>The segment files, oldest first, with the sequence each starts at.</summary>
    internal List<(string Path, long FirstSequence)> Segments() =>
        System.IO.Directory.EnumerateFiles(Directory, $"{SegmentPrefix}*.log")
            .Select(path => (path, long.Parse(Path.GetFileNameWithoutExtension(path)[SegmentPrefix.Length..], System.Globalization.CultureInfo.InvariantCulture)))
            .OrderBy(s => s.Item2)
            .ToList();

    /// <summary>Reads records one by one; a record not wholly written yet is read on a later call.</summary>
    internal sealed class SpoolCursor(RunSpool spool, long from) : IDisposable
    {
        private FileStream? _file;
        private long _firstSequence = -1;
        private readonly byte[] _header = new byte[HeaderBytes];

        public bool TryRead(out RunFrame frame)
        {
            while (true)
            {
                if (_file is null && !MoveToSegmentAfter(_firstSequence))
                {
                    frame = null!;
                    return false;
                }
                var start = _file!.Position;
                if (TryReadRecord(out var body))
                {
                    frame = RunFrame.Parser.ParseFrom(body);
                    if (frame.Sequence >= from)
                        return true;
                    continue;
                }
                _file.Position = start;
                // At the end of a segment that a newer one follows (or at a record a crash cut short): go on in the next.
                if (!MoveToSegmentAfter(_firstSequence))
                {
                    frame = null!;
                    return false;
                }
            }
        }

        private bool TryReadRecord(out byte[] body)
        {
            body = [];
            if (_file!.ReadAtLeast(_header, HeaderBytes, throwOnEndOfStream: false) < HeaderBytes)
                return false;
            var size = BinaryPrimitives.ReadInt32LittleEndian(_header);
            if (size < 0 || size > _file.Length - _file.Position)
                return false;
            body = new byte[size];
            _file.ReadExactly(body);
            return Crc32.HashToUInt32(body) == BinaryPrimitives.ReadUInt32LittleEndian(_header.AsSpan(4));
        }

        /// <summary>Opens the first segment that can hold <c>from</c>, or the one after the current; false when there is none.</summary>
        private bool MoveToSegmentAfter(long currentFirst)
        {
            var segments = spool.Segments();
            int index;
            if (currentFirst < 0)
            {
                index = segments.FindLastIndex(s => s.FirstSequence <= from);
                if (index < 0)
                    index = segments.Count > 0 ? 0 : -1;
            }
            else
            {
                index = segments.FindIndex(s => s.FirstSequence > currentFirst);
            }
            if (index < 0)
                return false;
            _file?.Dispose();
            _file = new FileStream(segments[index].Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            _firstSequence = segments[index].FirstSequence;
            return true;
        }

        public void Dispose() => _file?.Dispose();
    }

    private void StartSegment(long firstSequence)
    {
        _segment?.Dispose();
        var path = Path.Combine(Directory, $"{SegmentPrefix}{firstSequence:D12}.log");
        _segment = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read | FileShare.Delete);
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _segment?.Dispose();
            _segment = null;
            _inUse?.Dispose();
            _inUse = null;
        }
    }
}

public sealed class SpoolInUseException(string message, Exception inner) : IOException(message, inner);
