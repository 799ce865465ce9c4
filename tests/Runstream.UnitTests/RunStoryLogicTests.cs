using Google.Protobuf;
using Runstream.Client.Capture;
using Runstream.Contracts.Bus;
using Runstream.Projections.Runs.ApplyingFrames;
using Runstream.Store.ConsoleOutput;
using Runstream.Store.Runs;
using Wire = Runstream.Contracts.V1;

namespace Runstream.UnitTests;

/// <summary>Console limits and numbering, generated names, and the SDK's line capture.</summary>
public sealed class RunStoryLogicTests
{
    private static ConsoleLine Line(string text) => new(0, false, text);

    [Fact]
    public void Long_lines_keep_their_start_and_say_how_much_was_cut_and_NUL_is_replaced()
    {
        Assert.Equal(new string('a', 10_000) + " … [line cut: 5 more characters]", ConsoleLimits.Storable(new string('a', 10_005)));
        Assert.Equal("a\uFFFDb", ConsoleLimits.Storable("a\0b"));
        Assert.Equal("short", ConsoleLimits.Storable("short"));
    }

    [Fact]
    public void Output_beyond_the_runs_limit_ends_with_one_marker_and_later_lines_are_not_kept()
    {
        // 2 + 5 + 5 bytes fill the 12 exactly; the next line would go over.
        var (kept, bytes, reached) = ConsoleLimits.Keep([Line("12345"), Line("67890"), Line("abc"), Line("d")], bytesBefore: 2, limitReachedBefore: false, maxBytes: 12);
        Assert.Equal(["12345", "67890", "[console output stops here: the run reached its limit of 0 MiB; later lines are not kept]"], kept.Select(l => l.Text));
        Assert.True(kept[2].Stderr);
        Assert.Equal(10, bytes);
        Assert.True(reached);

        var after = ConsoleLimits.Keep([Line("more")], bytesBefore: 7, limitReachedBefore: true, maxBytes: 12);
        Assert.Empty(after.Kept);
        Assert.True(after.LimitReached);

        var utf8 = ConsoleLimits.Keep([Line("é")], bytesBefore: 0, limitReachedBefore: false, maxBytes: 12);
        Assert.Equal(2, utf8.Bytes);
    }

    [Fact]
    public void Console_frames_are_numbered_on_from_the_lines_the_run_has()
    {
        var soFar = new RunSoFar(RunState.Running, ConsoleLines: 7, ConsoleBytes: 100);
        var frame = new Wire.RunFrame
        {
            Sequence = 4,
            Console = new Wire.ConsoleLogged { Lines = { new Wire.ConsoleLine { Text = "a" }, new Wire.ConsoleLine { Text = "bc", Stream = Wire.ConsoleStream.Stderr } } },
        };
        var received = new RunFrameReceived { Entity = "e", Project = "p", RunId = "r", Sequence = 4, Frame = frame.ToByteArray(), ReceivedAt = DateTimeOffset.UnixEpoch };

        var logged = Assert.IsType<ConsoleLogged>(RunFrameEvents.ToEvent(received, soFar));
        Assert.Equal(7, logged.FirstLine);
        Assert.Equal([new ConsoleLine(0, false, "a"), new ConsoleLine(0, true, "bc")], logged.Lines);
        Assert.Equal(3, logged.Bytes);
        var next = soFar.After(logged);
        Assert.Equal((9L, 103L, false), (next.ConsoleLines, next.ConsoleBytes, next.ConsoleLimitReached));
    }

    [Fact]
    public void Generated_names_are_adjective_noun_number_and_the_same_for_the_same_run()
    {
        var name = RunNames.Generate("kdxlvsk8", 12);
        Assert.Matches("^[a-z]+-[a-z]+-12$", name);
        Assert.Equal(name, RunNames.Generate("kdxlvsk8", 12));
        Assert.True(Enumerable.Range(0, 50).Select(i => RunNames.Generate($"run{i}", 1)).Distinct().Count() > 40, "the words vary with the run");
    }

    [Fact]
    public void The_sdk_sends_whole_lines_keeps_a_redrawn_lines_last_state_and_cuts_long_lines()
    {
        var sent = new List<Wire.RunFrame>();
        using (var buffer = new ConsoleBuffer(sent.Add, TimeSpan.FromHours(1)))
        using (ConsoleCapture.Attach(buffer))
        {
            var writer = new LineTeeWriter(TextWriter.Null, Wire.ConsoleStream.Stdout);
            writer.Write("loss 0.5\r\n");
            writer.Write("progress 10%\rprogress 100%\n");
            writer.WriteLine(new string('z', 10_003));
            writer.Write("unfinished");
        }
        var lines = sent.SelectMany(f => f.Console.Lines).Select(l => l.Text).ToList();
        Assert.Equal(["loss 0.5", "progress 100%", new string('z', 10_000) + " … [line cut: 3 more characters]"], lines);
    }

    [Fact]
    public void Nvidia_smi_output_becomes_gpu_metrics_and_fields_not_reported_are_left_out()
    {
        var values = SystemSampler.ParseNvidiaSmi("87, 30500, 40960, 71, 245.30\n0, 3, 40960, 34, [N/A]\n");
        Assert.Equal(87, values["system/gpu.0.gpu"]);
        Assert.Equal(100.0 * 30500 / 40960, values["system/gpu.0.memory_percent"], 9);
        Assert.Equal((71.0, 245.3), (values["system/gpu.0.temp"], values["system/gpu.0.power_watts"]));
        Assert.False(values.ContainsKey("system/gpu.1.power_watts"));
        Assert.Equal(0, values["system/gpu.1.gpu"]);
        Assert.Empty(SystemSampler.ParseNvidiaSmi(""));
    }

    [Fact]
    public void A_metric_takes_its_own_definition_else_the_longest_matching_prefix()
    {
        var definitions = new Dictionary<string, MetricDefinition>
        {
            ["val/*"] = new("mean", null), ["val/acc*"] = new("max", "epoch"), ["val/loss"] = new("min", null),
        };
        Assert.Equal("min", MetricSummaries.For(definitions, "val/loss")!.Summary);
        Assert.Equal("max", MetricSummaries.For(definitions, "val/accuracy")!.Summary);
        Assert.Equal("mean", MetricSummaries.For(definitions, "val/f1")!.Summary);
        Assert.Null(MetricSummaries.For(definitions, "train/loss"));
    }

    [Fact]
    public void Summaries_keep_the_last_the_lowest_the_highest_or_the_mean_and_NaN_never_wins()
    {
        double? Run(string mode, params double[] values)
        {
            double? summary = null;
            for (var i = 0; i < values.Length; i++)
                summary = MetricSummaries.Next(mode, summary, values[i], i + 1);
            return summary;
        }
        Assert.Equal(1, Run("min", 3, 1, double.NaN, 2));
        Assert.Equal(3, Run("max", double.NaN, 3, 1, double.NaN));
        Assert.Equal(2, Run("mean", 1, 2, 3));
        Assert.Equal(5, Run("last", 1, 5));
        Assert.Null(Run("none", 1, 2));
    }
}
