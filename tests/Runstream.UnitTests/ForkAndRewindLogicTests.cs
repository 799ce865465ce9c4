using Runstream.Contracts.Bus;
using Runstream.Projections.Runs.ApplyingFrames;
using Runstream.Query.History;
using Runstream.Store.Metrics;
using Runstream.Store.Runs;
using Wire = Runstream.Contracts.V1;

namespace Runstream.UnitTests;

public sealed class ForkAndRewindLogicTests
{
    [Fact]
    public void The_summary_at_a_step_follows_each_keys_definition_and_drops_keys_not_logged_yet()
    {
        MetricStepStatistics[] statistics =
        [
            new("loss", 50, Last: 0.3, Min: 0.1, Max: 2.0, Mean: 0.7),
            new("val/acc", 50, Last: 0.8, Min: 0.2, Max: 0.9, Mean: 0.6),
            new("lr", 50, Last: 0.01, Min: 0.01, Max: 0.1, Mean: 0.05),
            new("secret", 50, Last: 1, Min: 1, Max: 1, Mean: 1),
            new("late", 0, null, null, null, null),
            new("system/cpu", 50, Last: 12, Min: 1, Max: 99, Mean: 40),
        ];
        var definitions = new Dictionary<string, MetricDefinition>
        {
            ["val/*"] = new("max", null),
            ["lr"] = new("mean", null),
            ["secret"] = new("none", null),
        };
        var summary = SummaryAtStep.From(statistics, definitions);
        Assert.Equal(0.3, summary.Values["loss"]!.GetValue<double>());
        Assert.Equal(0.9, summary.Values["val/acc"]!.GetValue<double>());
        Assert.Equal(0.05, summary.Values["lr"]!.GetValue<double>());
        Assert.Equal(new Dictionary<string, long> { ["lr"] = 50 }, summary.MeanCounts);
        Assert.Equal(["late", "secret"], summary.Dropped);
        Assert.False(summary.Values.ContainsKey("system/cpu"));

        var run = new RunDetails { Summary = { ["late"] = 7.0, ["loss"] = 9.0, ["note"] = "kept" }, SummaryCounts = { ["late"] = 3 } };
        summary.ApplyTo(run);
        Assert.Equal(["loss", "lr", "note", "val/acc"], run.Summary.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(0.3, run.Summary["loss"]!.GetValue<double>());
        Assert.False(run.SummaryCounts.ContainsKey("late"));
    }

    [Fact]
    public void An_ancestors_chunk_is_cut_at_the_fork_step_dense_or_not()
    {
        var dense = new MetricChunkRead(10, 19, null, [.. Enumerable.Range(100, 10).Select(t => (long)t)], [.. Enumerable.Range(0, 10).Select(v => (double)v)]);
        var cut = dense.UpTo(14);
        Assert.Equal((10L, 14L, 5), (cut.FirstStep, cut.LastStep, cut.Count));
        Assert.Equal([0, 1, 2, 3, 4], cut.Values!);
        Assert.Equal([100, 101, 102, 103, 104], cut.Times!);
        Assert.Same(dense, dense.UpTo(19));

        var sparse = new MetricChunkRead(30, 40, [30, 5, 40, 12], null, [1, 2, 3, 4]);
        var kept = sparse.UpTo(12);
        Assert.Equal([5, 12], kept.Steps!);
        Assert.Equal([2, 4], kept.Values!);
        Assert.Equal((5L, 12L), (kept.FirstStep, kept.LastStep));
    }

    [Fact]
    public void A_resume_with_a_step_is_a_rewind_and_a_start_with_a_parent_is_a_fork()
    {
        var rewind = RunFrameEvents.ToEvent(Received(new Wire.RunFrame { Sequence = 7, Resumed = new Wire.RunResumed { RewindToStep = 200 } }),
            RunSoFar.New with { State = RunState.Crashed });
        var rewound = Assert.IsType<RunRewound>(rewind);
        Assert.Equal((7L, 200L, RunState.Crashed), (rewound.Sequence, rewound.Step, rewound.PreviousState));
        Assert.Equal(RunState.Running, RunSoFar.New.After(rewound).State);
        Assert.IsType<Store.Runs.RunResumed>(RunFrameEvents.ToEvent(Received(new Wire.RunFrame { Sequence = 7, Resumed = new Wire.RunResumed() }), RunSoFar.New));

        var fork = RunFrameEvents.ToEvent(Received(new Wire.RunFrame
        {
            Sequence = 1,
            Started = new Wire.RunStarted { ForkFrom = new Wire.ForkPoint { RunId = "parent", Step = 49 } },
        }), RunSoFar.New);
        Assert.Equal(new ForkPoint("parent", 49), Assert.IsType<Store.Runs.RunStarted>(fork).ForkedFrom);
    }

    [Fact]
    public void A_fork_starts_at_its_fork_step_and_a_rewind_takes_the_run_back_to_its_step()
    {
        var projection = new RunDetailsProjection();
        var run = projection.Evolve(null, "e/p/child", new JasperFx.Events.Event<Store.Runs.RunStarted>(new(1, "e", "p", "child", null, null, [], null, null, [],
            DateTimeOffset.UnixEpoch, ForkedFrom: new ForkPoint("parent", 49), Inherited: new SummaryAtStep(new() { ["acc"] = 0.49 }, [], []))));
        Assert.Equal((49L, 0.49), (run!.LastStep!.Value, run.Summary["acc"]!.GetValue<double>()));
        Assert.Equal(new ForkPoint("parent", 49), run.ForkedFrom);

        run.LastStep = 120;
        run.State = RunState.Finished;
        run.ExitCode = 0;
        run = projection.Evolve(run, "e/p/child", new JasperFx.Events.Event<RunRewound>(new(5, 80, RunState.Finished,
            new SummaryAtStep(new() { ["acc"] = 0.8 }, [], ["late"]), DateTimeOffset.UnixEpoch)));
        Assert.Equal((80L, RunState.Running, (int?)null), (run!.LastStep!.Value, run.State, run.ExitCode));
        Assert.Equal(0.8, run.Summary["acc"]!.GetValue<double>());
        Assert.Equal([new RunRewind(80, DateTimeOffset.UnixEpoch, 5)], run.Rewinds);
        Assert.Equal(5, run.LastSequence);
    }

    private static RunFrameReceived Received(Wire.RunFrame frame) => new()
    {
        Entity = "e", Project = "p", RunId = "r", Sequence = frame.Sequence, ReceivedAt = DateTimeOffset.UnixEpoch,
        Frame = Google.Protobuf.MessageExtensions.ToByteArray(frame),
    };
}
