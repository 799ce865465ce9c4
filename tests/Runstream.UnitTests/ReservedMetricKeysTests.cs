using Runstream.Contracts.V1;
using Runstream.Ingest.Frames;

namespace Runstream.UnitTests;

public sealed class ReservedMetricKeysTests
{
    [Theory]
    [InlineData("_step")]
    [InlineData("_timestamp")]
    [InlineData("_runtime")]
    public void The_history_s_own_keys_are_refused_in_metrics_and_summaries(string key)
    {
        var metrics = new RunFrame { Run = new RunRef { Project = "p", RunId = "r" }, Sequence = 2, Metrics = new MetricsLogged { Keys = { "loss", key } } };
        var problem = FrameValidator.ValidatePayload(metrics);
        Assert.Equal("metrics.keys[1]", problem?.Field);
        Assert.Contains($"'{key}' is reserved", problem!.Message);

        var summary = new RunFrame { Run = metrics.Run, Sequence = 3, SummaryUpdated = new SummaryUpdated { Values = { [key] = 1 } } };
        Assert.Equal("summary_updated.values[0]", FrameValidator.ValidatePayload(summary)?.Field);
    }

    [Fact]
    public void Other_keys_with_an_underscore_are_fine()
    {
        var frame = new RunFrame { Run = new RunRef { Project = "p", RunId = "r" }, Sequence = 2, Metrics = new MetricsLogged { Keys = { "_private", "step" } } };
        Assert.Null(FrameValidator.ValidatePayload(frame));
    }
}
