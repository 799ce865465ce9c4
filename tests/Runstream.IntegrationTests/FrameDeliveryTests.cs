using Runstream.Contracts.V1;

namespace Runstream.IntegrationTests;

[Collection(StackCollection.Name)]
public sealed class FrameDeliveryTests(StackFixture stack)
{
    [Fact]
    public async Task A_resent_frame_is_applied_once()
    {
        var project = StackFixture.NewProject("resend");
        var run = new RunRef { Project = project, RunId = "resent01" };
        using var ingest = new RawIngestClient(stack.IngestUrl, stack.ApiKey);

        var first = await ingest.SendAsync(
            RawIngestClient.Started(run, 1),
            RawIngestClient.Metrics(run, 2, step: 0, ("loss", 1.0)),
            RawIngestClient.Metrics(run, 3, step: 1, ("loss", 0.5)));
        Assert.Equal([1L, 2L, 3L], first.Select(r => r.Ack.Sequence));

        // A client that lost the acks of frames 2 and 3 sends them again on a new stream.
        // The re-sent copy of frame 2 carries another value: were it applied again, step 0 would change.
        var second = await ingest.SendAsync(
            RawIngestClient.Metrics(run, 2, step: 0, ("loss", 99.0)),
            RawIngestClient.Metrics(run, 3, step: 1, ("loss", 0.5)),
            RawIngestClient.Finished(run, 4));
        Assert.Equal([2L, 3L, 4L], second.Select(r => r.Ack.Sequence));

        var details = await stack.WaitForJsonAsync($"/api/v1/projects/{project}/runs/resent01",
            r => r?["state"]?.GetValue<string>() == "finished", "the run to finish");
        Assert.Equal(4, details!["lastSequence"]!.GetValue<long>());
        Assert.Equal(0.5, details["summary"]!["loss"]!.GetValue<double>());

        var history = (await stack.GetJsonAsync($"/api/v1/projects/{project}/runs/resent01/history"))!.AsArray();
        Assert.Equal(2, history.Count);
        Assert.Equal(1.0, history[0]!["loss"]!.GetValue<double>());
        Assert.Equal(0.5, history[1]!["loss"]!.GetValue<double>());
    }

    [Fact]
    public async Task A_frame_with_invalid_content_gets_a_clear_error_and_the_stream_goes_on()
    {
        var project = StackFixture.NewProject("invalid");
        var run = new RunRef { Project = project, RunId = "invalid01" };
        using var ingest = new RawIngestClient(stack.IngestUrl, stack.ApiKey);

        var replies = await ingest.SendAsync(
            RawIngestClient.Started(run, 1),
            RawIngestClient.Metrics(run, 2, step: 0, ("", 1.0)),
            RawIngestClient.Metrics(run, 3, step: 1, ("loss", 0.25), ("acc", double.NaN)),
            new RunFrame { Run = run, Sequence = 4, ConfigUpdated = new ConfigUpdated { ConfigJson = "[1, 2]" } },
            RawIngestClient.Finished(run, 5));

        var errors = replies.Where(r => r.Error is not null).Select(r => r.Error).ToList();
        Assert.Equal(2, errors.Count);
        Assert.Equal(2, errors[0].Sequence);
        Assert.Equal("INVALID_ARGUMENT", errors[0].Code);
        Assert.Equal("metrics.keys[0]", errors[0].Field);
        Assert.Contains("empty", errors[0].Message);
        Assert.Equal(4, errors[1].Sequence);
        Assert.Equal("config_updated.config_json", errors[1].Field);
        Assert.Contains("JSON object", errors[1].Message);
        // Rejected frames are acknowledged too: they are recorded and not to be re-sent.
        Assert.Equal([1L, 2L, 3L, 4L, 5L], replies.Where(r => r.Ack is not null).Select(r => r.Ack.Sequence));

        var details = await stack.WaitForJsonAsync($"/api/v1/projects/{project}/runs/invalid01",
            r => r?["state"]?.GetValue<string>() == "finished", "the run to finish");
        Assert.Equal([2L, 4L], details!["rejectedFrames"]!.AsArray().Select(f => f!["sequence"]!.GetValue<long>()));
        Assert.Equal(0.1, details["config"]!["lr"]!.GetValue<double>());

        var history = (await stack.GetJsonAsync($"/api/v1/projects/{project}/runs/invalid01/history"))!.AsArray();
        var row = Assert.Single(history);
        Assert.Equal(1, row!["_step"]!.GetValue<long>());
        Assert.Equal(0.25, row["loss"]!.GetValue<double>());
        Assert.Equal("NaN", row["acc"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_frame_without_a_valid_run_is_refused_without_an_ack()
    {
        using var ingest = new RawIngestClient(stack.IngestUrl, stack.ApiKey);
        var replies = await ingest.SendAsync(
            RawIngestClient.Started(new RunRef { Project = "no spaces/allowed", RunId = "x" }, 1),
            RawIngestClient.Started(new RunRef { Project = StackFixture.NewProject("ok"), RunId = "r1" }, 0));

        Assert.All(replies, r => Assert.Null(r.Ack));
        Assert.Equal(["run.project", "sequence"], replies.Select(r => r.Error.Field));
        Assert.Contains("contains ' '", replies[0].Error.Message);
    }

    [Fact]
    public async Task A_frame_over_the_size_limit_and_a_sequence_regression_are_refused_while_the_stream_goes_on()
    {
        var project = StackFixture.NewProject("limits");
        var run = new RunRef { Project = project, RunId = "limits01" };
        using var ingest = new RawIngestClient(stack.IngestUrl, stack.ApiKey);

        var huge = new RunFrame { Run = run, Sequence = 2, Metrics = new MetricsLogged { Keys = { "loss" } } };
        var row = new MetricRow { Step = 0 };
        for (var i = 0; i < 2_200_000; i++)
        {
            row.KeyIndexes.Add(0);
            row.Values.Add(i);
        }
        huge.Metrics.Rows.Add(row);

        var replies = await ingest.SendAsync(
            RawIngestClient.Started(run, 1),
            huge,
            RawIngestClient.Metrics(run, 2, step: 0, ("loss", 9.0)),
            RawIngestClient.Metrics(run, 3, step: 1, ("loss", 0.5)),
            RawIngestClient.Finished(run, 4));

        var errors = replies.Where(r => r.Error is not null).Select(r => r.Error).ToList();
        Assert.Equal(2, errors.Count);
        Assert.Equal("frame", errors[0].Field);
        Assert.Contains("the limit is 16777216 (16 MiB)", errors[0].Message);
        Assert.Equal("sequence", errors[1].Field);
        Assert.Contains("does not follow 2", errors[1].Message);
        Assert.Equal([1L, 2L, 3L, 4L], replies.Where(r => r.Ack is not null).Select(r => r.Ack.Sequence));

        var details = await stack.WaitForJsonAsync($"/api/v1/projects/{project}/runs/limits01",
            r => r?["state"]?.GetValue<string>() == "finished", "the run to finish");
        Assert.Equal([2L], details!["rejectedFrames"]!.AsArray().Select(f => f!["sequence"]!.GetValue<long>()));
        var history = (await stack.GetJsonAsync($"/api/v1/projects/{project}/runs/limits01/history"))!.AsArray();
        Assert.Equal(0.5, Assert.Single(history)!["loss"]!.GetValue<double>());
    }
}
