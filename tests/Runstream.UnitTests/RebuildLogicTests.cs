using Runstream.Projections.Rebuilds;
using Runstream.Store.Rebuilds;

namespace Runstream.UnitTests;

public sealed class RebuildLogicTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("run-details", true, false)]
    [InlineData("Metric-History", true, true)]
    [InlineData(" project-overview ", false, false)]
    [InlineData("artifact-collections", false, false)]
    public void Read_models_are_found_by_name(string name, bool perRunStream, bool countsPoints)
    {
        var model = RebuildReadModel.Find(name)!;
        Assert.Equal(perRunStream, model.PerRunStream);
        Assert.Equal(countsPoints, model.CountsPoints);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("metric_chunks")]
    public void Unknown_names_find_nothing(string? name) => Assert.Null(RebuildReadModel.Find(name));

    [Fact]
    public void Rates_and_eta_come_from_the_time_since_the_start()
    {
        var request = new RebuildRequest { State = RebuildState.Running, StartedAt = Start, EventsTotal = 1000, EventsDone = 250, PointsDone = 25_000 };
        var rates = RebuildRates.Of(request, Start.AddSeconds(10));
        Assert.Equal(25, rates.Percent);
        Assert.Equal(25, rates.EventsPerSecond);
        Assert.Equal(2500, rates.PointsPerSecond);
        Assert.Equal(30, rates.EtaSeconds);
    }

    [Fact]
    public void No_eta_before_a_rate_and_none_left_when_done()
    {
        Assert.Null(RebuildRates.Of(new RebuildRequest { State = RebuildState.Queued }, Start).EtaSeconds);
        Assert.Null(RebuildRates.Of(new RebuildRequest { State = RebuildState.Running, StartedAt = Start, EventsTotal = 10 }, Start.AddSeconds(1)).EtaSeconds);
        var done = RebuildRates.Of(new RebuildRequest { State = RebuildState.Succeeded, StartedAt = Start, CompletedAt = Start.AddSeconds(4), EventsTotal = 10, EventsDone = 12 }, Start.AddHours(1));
        Assert.Equal((100, 3, 0.0), (done.Percent, done.EventsPerSecond, done.EtaSeconds!.Value));
    }

    [Fact]
    public void Events_appended_meanwhile_never_take_the_percent_past_100()
    {
        var rates = RebuildRates.Of(new RebuildRequest { State = RebuildState.Running, StartedAt = Start, EventsTotal = 10, EventsDone = 15 }, Start.AddSeconds(5));
        Assert.Equal((100, 0.0), (rates.Percent, rates.EtaSeconds!.Value));
    }

    [Fact]
    public void A_daemon_rebuild_waits_for_the_instance_that_runs_its_shard_and_others_go_past_it()
    {
        RebuildRequest[] waiting = [new() { Id = "overview", ReadModel = "project-overview" }, new() { Id = "history", ReadModel = "metric-history" }];
        Assert.Equal("history", RebuildQueue.NextFor(waiting, _ => false)!.Id);
        Assert.Equal("overview", RebuildQueue.NextFor(waiting, projection => projection == "ProjectOverview")!.Id);
        Assert.Null(RebuildQueue.NextFor(waiting[..1], _ => false));
    }

    [Fact]
    public void A_request_for_an_unknown_read_model_is_taken_to_be_recorded_as_failed() =>
        Assert.Equal("odd", RebuildQueue.NextFor([new RebuildRequest { Id = "odd", ReadModel = "nothing" }], _ => false)!.Id);
}
