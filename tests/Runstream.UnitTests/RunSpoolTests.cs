using Runstream.Client.Spool;
using Runstream.Contracts.V1;

namespace Runstream.UnitTests;

public sealed class RunSpoolTests : IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("runstream-spool-test-");
    private readonly SpoolInfo _info = new("cats", "run1");

    [Fact]
    public void Frames_read_back_in_order_after_reopening()
    {
        using (var spool = RunSpool.OpenOrCreate(_root.FullName, _info))
            for (var sequence = 1; sequence <= 3; sequence++)
                spool.Append(Frame(sequence));

        using var reopened = RunSpool.OpenOrCreate(_root.FullName, _info);
        Assert.Equal(3, reopened.LastSequence);
        Assert.Equal([2L, 3L], reopened.ReadFrom(2).Select(f => f.Sequence));
    }

    [Fact]
    public void A_record_cut_short_by_a_crash_ends_its_segment_and_later_frames_still_read()
    {
        string directory;
        using (var spool = RunSpool.OpenOrCreate(_root.FullName, _info))
        {
            spool.Append(Frame(1));
            spool.Append(Frame(2));
            directory = spool.Directory;
        }
        var segment = Directory.GetFiles(directory, "frames-*.log").Single();
        using (var file = new FileStream(segment, FileMode.Append))
            file.Write([200, 0, 0, 0, 1, 2, 3]); // a header promising 200 bytes, then the crash

        using var reopened = RunSpool.OpenOrCreate(_root.FullName, _info);
        Assert.Equal(2, reopened.LastSequence);
        reopened.Append(Frame(3));
        Assert.Equal([1L, 2L, 3L], reopened.ReadFrom(1).Select(f => f.Sequence));
    }

    [Fact]
    public void A_flipped_bit_fails_the_checksum()
    {
        using var spool = RunSpool.OpenOrCreate(_root.FullName, _info);
        spool.Append(Frame(1));
        spool.Dispose();
        var segment = Directory.GetFiles(spool.Directory, "frames-*.log").Single();
        var bytes = File.ReadAllBytes(segment);
        bytes[^1] ^= 0x01;
        File.WriteAllBytes(segment, bytes);

        using var reopened = RunSpool.Open(spool.Directory);
        Assert.Empty(reopened.ReadFrom(1));
    }

    [Fact]
    public void Acknowledged_frames_are_forgotten_and_the_watermark_survives_reopening()
    {
        string directory;
        using (var spool = RunSpool.OpenOrCreate(_root.FullName, _info))
        {
            spool.Append(Frame(1));
            spool.Append(Frame(2));
            spool.Acknowledge(2);
            directory = spool.Directory;
            Assert.Empty(Directory.GetFiles(directory, "frames-*.log"));
            spool.Append(Frame(3));
        }

        using var reopened = RunSpool.Open(directory);
        Assert.Equal(2, reopened.Acked);
        Assert.Equal(3, reopened.LastSequence);
        Assert.Equal([3L], reopened.ReadFrom(reopened.Acked + 1).Select(f => f.Sequence));
    }

    [Fact]
    public void A_cursor_follows_frames_appended_after_it_reached_the_end()
    {
        using var spool = RunSpool.OpenOrCreate(_root.FullName, _info);
        spool.Append(Frame(1));
        using var cursor = spool.OpenCursor(1);
        Assert.True(cursor.TryRead(out var first));
        Assert.Equal(1, first.Sequence);
        Assert.False(cursor.TryRead(out _));

        spool.Append(Frame(2));
        Assert.True(cursor.TryRead(out var second));
        Assert.Equal(2, second.Sequence);
    }

    private static RunFrame Frame(long sequence) => new()
    {
        Run = new RunRef { Project = "cats", RunId = "run1" },
        Sequence = sequence,
        Metrics = new MetricsLogged { Keys = { "loss" }, Rows = { new MetricRow { Step = sequence, KeyIndexes = { 0 }, Values = { 1.0 / sequence } } } },
    };

    public void Dispose() => _root.Delete(recursive: true);
}
