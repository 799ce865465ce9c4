using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Npgsql;
using Runstream.Client;

namespace Runstream.IntegrationTests;

/// <summary>Parallel coordinates, parameter importance, edits as events, aliases, lineage and live updates.</summary>
[Collection(StackCollection.Name)]
public sealed class CompareAndEditTests(StackFixture stack)
{
    [Fact]
    public async Task Importance_finds_the_parameter_that_drives_the_metric_and_parallel_rows_carry_every_run()
    {
        var project = StackFixture.NewProject("importance");
        var random = new Random(7);
        for (var i = 0; i < 40; i++)
        {
            var lr = random.NextDouble();
            var batch = random.Next(1, 5) * 32;
            var optimizer = i % 2 == 0 ? "adam" : "sgd";
            await using var run = await Experiment.InitAsync(stack.Settings(project) with { Config = new { lr, batch, optimizer, dataset = "cats" } });
            // Accuracy is best for a learning rate in the middle: an effect correlation cannot see.
            run.Log(new Dictionary<string, double> { ["accuracy"] = 1 - Math.Abs(lr - 0.5) * 2 + random.NextDouble() * 0.01 });
            await run.FinishAsync();
        }
        await stack.WaitForJsonAsync($"/api/v1/projects/{project}/runs?filters={Uri.EscapeDataString("""{"state":"finished"}""")}",
            page => page?["total"]?.GetValue<long>() == 40, "the 40 runs to finish");

        var importance = await stack.GetJsonAsync($"/api/v1/projects/{project}/importance?metric=summary.accuracy");
        Assert.Equal(40, importance!["runsUsed"]!.GetValue<int>());
        var parameters = importance["parameters"]!.AsArray();
        Assert.Equal(["config.batch", "config.lr", "config.optimizer"], parameters.Select(p => p!["key"]!.GetValue<string>()).Order());
        // A key every run has the same value of is named apart, not ranked.
        Assert.Equal(["config.dataset"], importance["constantKeys"]!.AsArray().Select(k => k!.GetValue<string>()));
        Assert.Equal("config.lr", parameters[0]!["key"]!.GetValue<string>());
        Assert.True(parameters[0]!["importance"]!.GetValue<double>() > 2 * parameters[1]!["importance"]!.GetValue<double>(), importance.ToJsonString());
        Assert.InRange(Math.Abs(parameters[0]!["correlation"]!.GetValue<double>()), 0, 0.5);
        Assert.Null(parameters.Single(p => p!["key"]!.GetValue<string>() == "config.optimizer")!["correlation"]);

        var parallel = await stack.GetJsonAsync($"/api/v1/projects/{project}/parallel?params=config.lr,config.optimizer&metric=summary.accuracy&filters={Uri.EscapeDataString("""{"config.optimizer":"adam"}""")}");
        Assert.Equal(["config.lr", "config.optimizer", "summary.accuracy"], parallel!["dimensions"]!.AsArray().Select(d => d!.GetValue<string>()));
        var rows = parallel["rows"]!.AsArray();
        Assert.Equal(20, rows.Count);
        Assert.All(rows, row => Assert.Equal("adam", row!["values"]![1]!.GetValue<string>()));
    }

    [Fact]
    public async Task Tags_and_notes_edits_are_events_in_the_run_stream_and_bad_edits_name_the_field()
    {
        var project = StackFixture.NewProject("edits");
        string runId;
        await using (var run = await Experiment.InitAsync(stack.Settings(project) with { Tags = ["first"], Notes = "before" }))
        {
            runId = run.Id;
            run.Edit(tags: ["from-the-run"]);
        }
        await stack.WaitForJsonAsync($"/api/v1/projects/{project}/runs/{runId}", r => r?["tags"]?[0]?.GetValue<string>() == "from-the-run", "the run's own edit");

        using var edited = await stack.Query.PatchAsJsonAsync($"/api/v1/projects/{project}/runs/{runId}", new { tags = new[] { "best", "reviewed" }, notes = "after" });
        Assert.Equal(HttpStatusCode.OK, edited.StatusCode);
        var run2 = await stack.GetJsonAsync($"/api/v1/projects/{project}/runs/{runId}");
        Assert.Equal(["best", "reviewed"], run2!["tags"]!.AsArray().Select(t => t!.GetValue<string>()));
        Assert.Equal("after", run2["notes"]!.GetValue<string>());

        await using (var database = await stack.OpenDatabaseAsync())
        {
            await using var command = new NpgsqlCommand("select count(*) from runstream.mt_events where stream_id = $1 and type = 'run_edited'", database)
            {
                Parameters = { new() { Value = $"{stack.Entity}/{project}/{runId}" } },
            };
            Assert.Equal(2L, await command.ExecuteScalarAsync());
        }

        using var tooMany = await stack.Query.PatchAsJsonAsync($"/api/v1/projects/{project}/runs/{runId}", new { tags = Enumerable.Range(0, 101).Select(i => $"t{i}") });
        Assert.Equal(HttpStatusCode.BadRequest, tooMany.StatusCode);
        Assert.Contains("body.tags has 101 tags; the limit is 100", await tooMany.Content.ReadAsStringAsync());
        using var missing = await stack.Query.PatchAsJsonAsync($"/api/v1/projects/{project}/runs/nope", new { notes = "x" });
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task Aliases_move_by_event_and_lineage_links_producing_and_consuming_runs()
    {
        var project = StackFixture.NewProject("lineage");
        var folder = Directory.CreateTempSubdirectory().FullName;
        string producer = "", consumer;
        foreach (var weights in new[] { "weights A", "weights B" })
        {
            await File.WriteAllTextAsync(Path.Combine(folder, "model.bin"), weights);
            await using var run = await Experiment.InitAsync(stack.Settings(project));
            producer = run.Id;
            await run.LogArtifactAsync(folder, name: "model", type: "model");
        }
        await stack.WaitForJsonAsync($"/api/v1/projects/{project}/artifacts/model", c => c?["versions"]?.AsArray().Count == 2, "two versions");

        await using (var run = await Experiment.InitAsync(stack.Settings(project)))
        {
            consumer = run.Id;
            var used = await run.UseArtifactAsync("model:v0");
            Assert.Equal("v0", used.Version);
            Assert.Equal("weights A", await File.ReadAllTextAsync(Path.Combine(used.Directory, "model.bin")));
        }
        var version = await stack.WaitForJsonAsync($"/api/v1/projects/{project}/artifacts/model/v0", v => v?["usedBy"]?.AsArray().Count == 1, "the consumer to be recorded");
        Assert.Equal(consumer, version!["usedBy"]![0]!.GetValue<string>());
        var consumerRun = await stack.GetJsonAsync($"/api/v1/projects/{project}/runs/{consumer}");
        Assert.Equal("v0", consumerRun!["artifactsUsed"]![0]!["version"]!.GetValue<string>());
        var producerRun = await stack.GetJsonAsync($"/api/v1/projects/{project}/runs/{producer}");
        Assert.Equal("v1", producerRun!["artifactsLogged"]![0]!["version"]!.GetValue<string>());

        using var set = await stack.Query.PutAsJsonAsync($"/api/v1/projects/{project}/artifacts/model/aliases/production", new { version = "v0" });
        Assert.Equal(HttpStatusCode.Accepted, set.StatusCode);
        await stack.WaitForJsonAsync($"/api/v1/projects/{project}/artifacts/model/production", v => v?["version"]?.GetValue<string>() == "v0", "the alias on v0");
        using var moved = await stack.Query.PutAsJsonAsync($"/api/v1/projects/{project}/artifacts/model/aliases/production", new { version = "v1" });
        await stack.WaitForJsonAsync($"/api/v1/projects/{project}/artifacts/model/production", v => v?["version"]?.GetValue<string>() == "v1", "the alias moved to v1");
        using var removed = await stack.Query.DeleteAsync($"/api/v1/projects/{project}/artifacts/model/aliases/production");
        Assert.Equal(HttpStatusCode.Accepted, removed.StatusCode);
        await Poll.UntilAsync(async () => (await stack.Query.GetAsync($"/api/v1/projects/{project}/artifacts/model/production")).StatusCode,
            status => status == HttpStatusCode.NotFound, "the alias to be gone");
        using var latest = await stack.Query.DeleteAsync($"/api/v1/projects/{project}/artifacts/model/aliases/latest");
        Assert.Equal(HttpStatusCode.BadRequest, latest.StatusCode);
        using var setLatest = await stack.Query.PutAsJsonAsync($"/api/v1/projects/{project}/artifacts/model/aliases/latest", new { version = "v0" });
        Assert.Equal(HttpStatusCode.BadRequest, setLatest.StatusCode);
        using var numeric = await stack.Query.PutAsJsonAsync($"/api/v1/projects/{project}/artifacts/model/aliases/3", new { version = "v0" });
        Assert.Contains("reads as a version number", await numeric.Content.ReadAsStringAsync());

        // A run of another project uses this one's model: the lineage is recorded on the right collection.
        var elsewhere = StackFixture.NewProject("consumer");
        string reader;
        await using (var run = await Experiment.InitAsync(stack.Settings(elsewhere)))
        {
            reader = run.Id;
            var used = await run.UseArtifactAsync($"{project}/model:latest");
            Assert.Equal("v1", used.Version);
        }
        await stack.WaitForJsonAsync($"/api/v1/projects/{project}/artifacts/model/v1", v => v?["usedBy"]?.AsArray().Any(r => r!.GetValue<string>() == reader) == true,
            "the other project's run among v1's consumers");
    }

    /// <summary>
    /// Failed before: run A's artifact frame, acknowledged first but parked until A's start arrived,
    /// was applied after run B's, and B's content became v0.
    /// </summary>
    [Fact]
    public async Task Artifact_versions_follow_the_order_Ingest_acknowledged_them_not_the_order_they_were_applied()
    {
        var project = StackFixture.NewProject("versions");
        var a = new Contracts.V1.RunRef { Project = project, RunId = "run-a" };
        var b = new Contracts.V1.RunRef { Project = project, RunId = "run-b" };
        using var ingest = new RawIngestClient(stack.IngestUrl, stack.ApiKey);
        var weightsA = await ingest.UploadAsync("weights A"u8.ToArray());
        var weightsB = await ingest.UploadAsync("weights B"u8.ToArray());

        Assert.Equal(2, (await ingest.SendAsync(RawIngestClient.Artifact(a, 2, "model", "model.bin", weightsA, 9))).Single().Ack.Sequence);
        await ingest.SendAsync(RawIngestClient.Started(b, 1), RawIngestClient.Artifact(b, 2, "model", "model.bin", weightsB, 9));
        await stack.WaitForJsonAsync($"/api/v1/projects/{project}/artifacts/model", c => c?["versions"]?.AsArray().Count == 1, "run B's version");
        await ingest.SendAsync(RawIngestClient.Started(a, 1));
        await stack.WaitForJsonAsync($"/api/v1/projects/{project}/artifacts/model", c => c?["versions"]?.AsArray().Count == 2, "both versions");

        var v0 = await stack.GetJsonAsync($"/api/v1/projects/{project}/artifacts/model/v0");
        Assert.Equal(weightsA, v0!["digest"]!.GetValue<string>());
        var latest = await stack.GetJsonAsync($"/api/v1/projects/{project}/artifacts/model/latest");
        Assert.Equal("v1", latest!["version"]!.GetValue<string>());
        Assert.Equal(weightsB, latest["digest"]!.GetValue<string>());
    }

    [Fact]
    public async Task Live_events_report_changed_runs_and_new_history_rows_while_a_run_logs()
    {
        var project = StackFixture.NewProject("live");
        await using var run = await Experiment.InitAsync(stack.Settings(project));
        run.Log(new Dictionary<string, double> { ["loss"] = 1 });
        await stack.WaitForJsonAsync($"/api/v1/projects/{project}/runs/{run.Id}", r => r?["lastStep"]?.GetValue<long>() == 0, "the first step");

        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var anonymous = new HttpClient { BaseAddress = stack.Query.BaseAddress, Timeout = Timeout.InfiniteTimeSpan };
        using var projectEvents = await stack.Query.GetStreamAsync($"/api/v1/projects/{project}/events", cancel.Token);
        using var runEvents = await stack.Query.GetStreamAsync($"/api/v1/projects/{project}/runs/{run.Id}/events", cancel.Token);
        var projectReader = new StreamReader(projectEvents);
        var runReader = new StreamReader(runEvents);
        Assert.Equal(": connected", await projectReader.ReadLineAsync(cancel.Token));
        Assert.Equal(": connected", await runReader.ReadLineAsync(cancel.Token));

        run.Log(new Dictionary<string, double> { ["loss"] = 0.5 });
        var history = await ServerSentEvents.NextAsync(runReader, "history", cancel.Token);
        Assert.Equal(1, history[0]!["_step"]!.GetValue<long>());
        Assert.Equal(0.5, history[0]!["loss"]!.GetValue<double>());
        var changed = await ServerSentEvents.NextAsync(projectReader, "run", cancel.Token);
        Assert.Equal(run.Id, changed["runId"]!.GetValue<string>());

        using var noKey = await anonymous.GetAsync($"/api/v1/projects/{project}/events", cancel.Token);
        Assert.Equal(HttpStatusCode.Unauthorized, noKey.StatusCode);
        // Keys never travel in URLs, where proxies would log them; the dashboard sends the header.
        using var keyInUrl = await anonymous.GetAsync($"/api/v1/projects/{project}/events?api_key={stack.ApiKey}", HttpCompletionOption.ResponseHeadersRead, cancel.Token);
        Assert.Equal(HttpStatusCode.Unauthorized, keyInUrl.StatusCode);
    }
}
