using Runstream.Contracts.V1;
using Runstream.Ingest.Frames;

namespace Runstream.UnitTests;

public sealed class FrameValidatorTests
{
    private static readonly RunRef Run = new() { Project = "cats", RunId = "abc123" };

    [Theory]
    [InlineData("", "run.project", "empty")]
    [InlineData("has space", "run.project", "contains ' '")]
    [InlineData("a/b", "run.project", "contains '/'")]
    [InlineData("..", "run.project", "cannot be '..'")]
    public void Project_names_are_checked(string project, string field, string message)
    {
        var problem = FrameValidator.ValidateAddress(new RunFrame { Run = new RunRef { Project = project, RunId = "r" }, Sequence = 1 });
        Assert.Equal(field, problem?.Field);
        Assert.Contains(message, problem!.Message);
    }

    [Fact]
    public void A_name_over_the_limit_names_the_limit()
    {
        var problem = FrameValidator.ValidateAddress(new RunFrame { Run = new RunRef { Project = "p", RunId = new string('r', 129) }, Sequence = 1 });
        Assert.Equal("run.run_id", problem?.Field);
        Assert.Contains("129 characters long; the limit is 128", problem!.Message);
    }

    [Fact]
    public void Sequences_start_at_one()
    {
        Assert.Equal("sequence", FrameValidator.ValidateAddress(new RunFrame { Run = Run, Sequence = 0 })?.Field);
        Assert.Null(FrameValidator.ValidateAddress(new RunFrame { Run = Run, Sequence = 1 }));
    }

    [Fact]
    public void A_frame_without_payload_is_refused()
    {
        Assert.Equal("payload", FrameValidator.ValidatePayload(new RunFrame { Run = Run, Sequence = 1 })?.Field);
    }

    [Theory]
    [InlineData("", "metrics.keys[1]", "is empty")]
    [InlineData("bad\nkey", "metrics.keys[1]", "U+000A")]
    public void Metric_keys_are_checked(string key, string field, string message)
    {
        var metrics = new MetricsLogged { Keys = { "loss", key } };
        var problem = FrameValidator.ValidatePayload(new RunFrame { Run = Run, Sequence = 2, Metrics = metrics });
        Assert.Equal(field, problem?.Field);
        Assert.Contains(message, problem!.Message);
    }

    [Fact]
    public void A_row_must_pair_each_value_with_a_named_key()
    {
        var mismatched = new MetricsLogged { Keys = { "loss" }, Rows = { new MetricRow { KeyIndexes = { 0 }, Values = { 1, 2 } } } };
        Assert.Equal("metrics.rows[0]", Validate(mismatched)?.Field);

        var unknownKey = new MetricsLogged { Keys = { "loss" }, Rows = { new MetricRow { KeyIndexes = { 3 }, Values = { 1 } } } };
        Assert.Contains("refers to key 3", Validate(unknownKey)!.Message);

        var negativeStep = new MetricsLogged { Keys = { "loss" }, Rows = { new MetricRow { Step = -1, KeyIndexes = { 0 }, Values = { 1 } } } };
        Assert.Equal("metrics.rows[0].step", Validate(negativeStep)?.Field);
    }

    [Fact]
    public void Non_finite_values_are_legal()
    {
        var metrics = new MetricsLogged
        {
            Keys = { "a", "b", "c" },
            Rows = { new MetricRow { KeyIndexes = { 0, 1, 2 }, Values = { double.NaN, double.PositiveInfinity, double.NegativeInfinity } } },
        };
        Assert.Null(Validate(metrics));
    }

    [Theory]
    [InlineData("not json", "is not valid JSON")]
    [InlineData("[1,2]", "must be a JSON object")]
    [InlineData("{\"a\":\"x\\u0000y\"}", "U+0000")]
    public void Config_must_be_a_json_object(string json, string message)
    {
        var problem = FrameValidator.ValidatePayload(new RunFrame { Run = Run, Sequence = 1, Started = new RunStarted { ConfigJson = json } });
        Assert.Equal("started.config_json", problem?.Field);
        Assert.Contains(message, problem!.Message);
    }

    [Theory]
    [InlineData("../etc/passwd")]
    [InlineData("/abs")]
    [InlineData("a//b")]
    [InlineData("a/./b")]
    [InlineData("a\\b")]
    [InlineData("C:x")]
    [InlineData("model.bin:stream")]
    public void Artifact_paths_cannot_leave_the_artifact(string path)
    {
        var artifact = new ArtifactLogged
        {
            Name = "model",
            Type = "model",
            Digest = new string('a', 64),
            Files = { new ArtifactFile { Path = path, Digest = new string('b', 64) } },
        };
        var problem = FrameValidator.ValidatePayload(new RunFrame { Run = Run, Sequence = 2, ArtifactLogged = artifact });
        Assert.Equal("artifact_logged.files[0].path", problem?.Field);
    }

    [Fact]
    public void A_valid_artifact_passes()
    {
        var artifact = new ArtifactLogged
        {
            Name = "trained-model",
            Type = "model",
            Digest = new string('a', 64),
            Files = { new ArtifactFile { Path = "weights/model.onnx", Digest = new string('b', 64), Size = 3 } },
            Aliases = { "best" },
        };
        Assert.Null(FrameValidator.ValidatePayload(new RunFrame { Run = Run, Sequence = 2, ArtifactLogged = artifact }));
    }

    private static FrameProblem? Validate(MetricsLogged metrics) =>
        FrameValidator.ValidatePayload(new RunFrame { Run = Run, Sequence = 2, Metrics = metrics });

    [Fact]
    public void Notes_may_quote_the_escape_but_not_hold_the_character()
    {
        Assert.Null(FrameValidator.ValidatePayload(new RunFrame { Run = Run, Sequence = 1, Started = new RunStarted { Notes = "a literal \\u0000 is fine" } }));
        var problem = FrameValidator.ValidatePayload(new RunFrame { Run = Run, Sequence = 1, Started = new RunStarted { Notes = "a real \0 is not" } });
        Assert.Equal("started.notes", problem?.Field);
        Assert.Contains("U+0000", problem!.Message);
    }
}
