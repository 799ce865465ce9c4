using Google.Protobuf;
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
    public async Task A_frame_over_the_size_limit_is_refused_and_a_frame_sent_twice_on_one_stream_is_applied_once()
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

        var error = Assert.Single(replies, r => r.Error is not null).Error;
        Assert.Equal("frame", error.Field);
        Assert.Contains("the limit is 16777216 (16 MiB)", error.Message);
        // The second frame 2 is acknowledged too (its slot is taken by the recorded rejection), and changes nothing.
        Assert.Equal([1L, 2L, 2L, 3L, 4L], replies.Where(r => r.Ack is not null).Select(r => r.Ack.Sequence));

        var details = await stack.WaitForJsonAsync($"/api/v1/projects/{project}/runs/limits01",
            r => r?["state"]?.GetValue<string>() == "finished", "the run to finish");
        Assert.Equal([2L], details!["rejectedFrames"]!.AsArray().Select(f => f!["sequence"]!.GetValue<long>()));
        var history = (await stack.GetJsonAsync($"/api/v1/projects/{project}/runs/limits01/history"))!.AsArray();
        Assert.Equal(0.5, Assert.Single(history)!["loss"]!.GetValue<double>());
    }

    /// <summary>Failed before: 5 after 6 got "sequences only grow" and was never recorded, so the run stopped at 4 for good.</summary>
    [Fact]
    public async Task Frames_out_of_order_on_one_stream_are_all_acknowledged_and_applied_in_sequence()
    {
        var project = StackFixture.NewProject("order");
        var run = new RunRef { Project = project, RunId = "order01" };
        using var ingest = new RawIngestClient(stack.IngestUrl, stack.ApiKey);

        var replies = await ingest.SendAsync(
            RawIngestClient.Started(run, 1),
            RawIngestClient.Metrics(run, 2, step: 0, ("loss", 1.0)),
            RawIngestClient.Metrics(run, 3, step: 1, ("loss", 0.9)),
            RawIngestClient.Metrics(run, 4, step: 2, ("loss", 0.8)),
            RawIngestClient.Metrics(run, 6, step: 4, ("loss", 0.6)),
            RawIngestClient.Metrics(run, 5, step: 3, ("loss", 0.7)),
            RawIngestClient.Finished(run, 7));

        Assert.All(replies, r => Assert.Null(r.Error));
        Assert.Equal([1L, 2L, 3L, 4L, 6L, 5L, 7L], replies.Select(r => r.Ack.Sequence));
        var details = await stack.WaitForJsonAsync($"/api/v1/projects/{project}/runs/order01",
            r => r?["state"]?.GetValue<string>() == "finished", "the run to finish");
        Assert.Equal(7, details!["lastSequence"]!.GetValue<long>());
        var history = (await stack.GetJsonAsync($"/api/v1/projects/{project}/runs/order01/history"))!.AsArray();
        Assert.Equal([1.0, 0.9, 0.8, 0.7, 0.6], history.Select(r => r!["loss"]!.GetValue<double>()));
    }

    /// <summary>Failed before: the start after its metrics was refused, and the run was a 404 forever.</summary>
    [Fact]
    public async Task A_run_whose_start_comes_after_its_metrics_on_one_stream_exists_with_them()
    {
        var project = StackFixture.NewProject("order");
        var run = new RunRef { Project = project, RunId = "late-start" };
        using var ingest = new RawIngestClient(stack.IngestUrl, stack.ApiKey);

        var replies = await ingest.SendAsync(
            RawIngestClient.Metrics(run, 2, step: 0, ("loss", 1.0)),
            RawIngestClient.Metrics(run, 3, step: 1, ("loss", 0.5)),
            RawIngestClient.Started(run, 1),
            RawIngestClient.Finished(run, 4));

        Assert.All(replies, r => Assert.Null(r.Error));
        Assert.Equal([2L, 3L, 1L, 4L], replies.Select(r => r.Ack.Sequence));
        var details = await stack.WaitForJsonAsync($"/api/v1/projects/{project}/runs/late-start",
            r => r?["state"]?.GetValue<string>() == "finished", "the run to finish");
        Assert.Equal(0.1, details!["config"]!["lr"]!.GetValue<double>());
        Assert.Equal(2, (await stack.GetJsonAsync($"/api/v1/projects/{project}/runs/late-start/history"))!.AsArray().Count);
    }

    /// <summary>Failed before: the keys were stored and overwrote each row's step and time in the history.</summary>
    [Fact]
    public async Task Reserved_history_keys_are_refused_by_name()
    {
        var project = StackFixture.NewProject("reserved");
        var run = new RunRef { Project = project, RunId = "reserved01" };
        using var ingest = new RawIngestClient(stack.IngestUrl, stack.ApiKey);

        var replies = await ingest.SendAsync(
            RawIngestClient.Started(run, 1),
            RawIngestClient.Metrics(run, 2, step: 0, ("loss", 1.0), ("_step", 99)),
            RawIngestClient.Metrics(run, 3, step: 1, ("_timestamp", 5)),
            new RunFrame { Run = run, Sequence = 4, SummaryUpdated = new SummaryUpdated { Values = { ["_runtime"] = 3 } } },
            RawIngestClient.Metrics(run, 5, step: 2, ("loss", 0.5), ("_private", 1)),
            RawIngestClient.Finished(run, 6));

        var errors = replies.Where(r => r.Error is not null).Select(r => r.Error).ToList();
        Assert.Equal([2L, 3L, 4L], errors.Select(e => e.Sequence));
        Assert.Equal(["metrics.keys[1]", "metrics.keys[0]", "summary_updated.values[0]"], errors.Select(e => e.Field));
        Assert.Contains("'_step' is reserved", errors[0].Message);
        Assert.Equal([1L, 2L, 3L, 4L, 5L, 6L], replies.Where(r => r.Ack is not null).Select(r => r.Ack.Sequence));

        await stack.WaitForJsonAsync($"/api/v1/projects/{project}/runs/reserved01", r => r?["state"]?.GetValue<string>() == "finished", "the run to finish");
        var row = Assert.Single((await stack.GetJsonAsync($"/api/v1/projects/{project}/runs/reserved01/history"))!.AsArray())!;
        Assert.Equal(2, row["_step"]!.GetValue<long>());
        Assert.Equal(1.0, row["_private"]!.GetValue<double>());
        using var csv = await stack.Query.GetAsync($"/api/v1/projects/{project}/runs/reserved01/history/export?format=csv");
        var header = (await csv.Content.ReadAsStringAsync()).Split('\n')[0].Split(',');
        Assert.Equal(header.Length, header.Distinct().Count());
    }

    /// <summary>Failed before: the stream ended with UNKNOWN "Exception was thrown by handler." and the frames after it were lost.</summary>
    [Fact]
    public async Task Bytes_that_are_no_frame_get_an_invalid_argument_error_and_the_frames_after_them_are_accepted()
    {
        var project = StackFixture.NewProject("garbage");
        var run = new RunRef { Project = project, RunId = "garbage01" };
        using var channel = Grpc.Net.Client.GrpcChannel.ForAddress(stack.IngestUrl);
        var bytes = Grpc.Core.Marshallers.Create<byte[]>(b => b, b => b);
        var method = new Grpc.Core.Method<byte[], byte[]>(Grpc.Core.MethodType.DuplexStreaming, "runstream.v1.Ingest", "StreamFrames", bytes, bytes);
        using var call = channel.CreateCallInvoker().AsyncDuplexStreamingCall(method, null,
            new Grpc.Core.CallOptions(new Grpc.Core.Metadata { { "authorization", $"Bearer {stack.ApiKey}" } }));

        await call.RequestStream.WriteAsync(RawIngestClient.Started(run, 1).ToByteArray());
        await call.RequestStream.WriteAsync([0x0A, 0x05, 0x01]); // field 1 says 5 bytes follow; one does
        await call.RequestStream.WriteAsync(RawIngestClient.Metrics(run, 2, step: 0, ("loss", 1.0)).ToByteArray());
        await call.RequestStream.WriteAsync(RawIngestClient.Finished(run, 3).ToByteArray());
        await call.RequestStream.CompleteAsync();
        var replies = new List<IngestReply>();
        while (await call.ResponseStream.MoveNext(CancellationToken.None))
            replies.Add(IngestReply.Parser.ParseFrom(call.ResponseStream.Current));

        var error = Assert.Single(replies, r => r.Error is not null).Error;
        Assert.Equal("INVALID_ARGUMENT", error.Code);
        Assert.Equal("frame", error.Field);
        Assert.Contains("not a runstream.v1.RunFrame", error.Message);
        Assert.Equal([1L, 2L, 3L], replies.Where(r => r.Ack is not null).Select(r => r.Ack.Sequence));
        await stack.WaitForJsonAsync($"/api/v1/projects/{project}/runs/garbage01", r => r?["state"]?.GetValue<string>() == "finished", "the run to finish");
    }

    [Fact]
    public async Task A_large_frame_travels_through_the_blob_volume_and_is_cleared_once_applied()
    {
        var project = StackFixture.NewProject("large");
        var run = new RunRef { Project = project, RunId = "large01" };
        using var ingest = new RawIngestClient(stack.IngestUrl, stack.ApiKey);
        var weights = new string('w', 2 * 1024 * 1024);

        var replies = await ingest.SendAsync(
            RawIngestClient.Started(run, 1),
            new RunFrame { Run = run, Sequence = 2, ConfigUpdated = new ConfigUpdated { ConfigJson = $$"""{"weights":"{{weights}}"}""" } },
            RawIngestClient.Finished(run, 3));

        Assert.Equal([1L, 2L, 3L], replies.Select(r => r.Ack.Sequence));
        var details = await stack.WaitForJsonAsync($"/api/v1/projects/{project}/runs/large01", r => r?["state"]?.GetValue<string>() == "finished", "the run to finish");
        Assert.Equal(weights.Length, details!["config"]!["weights"]!.GetValue<string>().Length);
        var spilled = Path.Combine(stack.BlobsRoot, "frames");
        Assert.True(Directory.Exists(spilled), "the large frame did not go through the blob volume");
        await Poll.UntilAsync(() => Task.FromResult(Directory.EnumerateFiles(spilled, "*", SearchOption.AllDirectories).Count()), count => count == 0, "the spilled frame to be deleted");
    }
}
