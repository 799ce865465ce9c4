using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Npgsql;
using Runstream.Client;
using Runstream.Contracts.V1;

namespace Runstream.IntegrationTests;

/// <summary>What a run tells beyond its metrics: its name, its console output, the exception that ended it, its code state.</summary>
[Collection(StackCollection.Name)]
public sealed class RunStoryTests(StackFixture stack)
{
    [Fact]
    public async Task A_failed_run_shows_its_generated_name_its_traceback_its_console_and_its_code_state()
    {
        var project = StackFixture.NewProject("story");
        string? runId = null;
        var settings = stack.Settings(project) with { CaptureConsole = true, RecordEnvironment = true, FlushInterval = TimeSpan.FromMilliseconds(200) };
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => Experiment.RunAsync(settings, run =>
        {
            runId = run.Id;
            Console.WriteLine($"epoch 1 of {run.Id}: loss 0.5");
            return Diverge();
        }));

        var details = await stack.WaitForJsonAsync($"/api/v1/projects/{project}/runs/{runId}", r => r?["state"]?.GetValue<string>() == "failed", "the run to fail");
        Assert.Matches("^[a-z]+-[a-z]+-1$", details!["name"]!.GetValue<string>());
        Assert.Equal("System.InvalidOperationException", details["failure"]!["type"]!.GetValue<string>());
        Assert.Equal("the loss diverged at step 3", details["failure"]!["message"]!.GetValue<string>());
        var traceback = details["failure"]!["traceback"]!.GetValue<string>();
        Assert.StartsWith("System.InvalidOperationException: the loss diverged at step 3", traceback);
        Assert.Contains($"{nameof(RunStoryTests)}.{nameof(Diverge)}()", traceback);
        Assert.Contains(failure.StackTrace!.Split('\n')[0].Trim(), traceback);

        var logs = await stack.GetJsonAsync($"/api/v1/projects/{project}/runs/{runId}/logs");
        var lines = logs!["lines"]!.AsArray().Select(l => (Text: l!["text"]!.GetValue<string>(), Stream: l["stream"]!.GetValue<string>())).ToList();
        Assert.Contains(($"epoch 1 of {runId}: loss 0.5", "stdout"), lines);
        Assert.Contains(lines, l => l.Stream == "stderr" && l.Text.Contains("the loss diverged at step 3"));
        Assert.Equal(lines.Count, logs["total"]!.GetValue<long>());

        var environment = await stack.GetJsonAsync($"/api/v1/projects/{project}/runs/{runId}/environment");
        Assert.StartsWith(".NET", environment!["runtime"]!.GetValue<string>());
        Assert.Equal(Environment.MachineName, environment["host"]!.GetValue<string>());
        Assert.Contains(environment["packages"]!.AsArray(), p => p!.GetValue<string>().StartsWith("Runstream.Client==", StringComparison.Ordinal));
        Assert.Equal(await GitAsync("rev-parse", "HEAD"), environment["git"]!["commit"]!.GetValue<string>());
        Assert.Equal((await GitAsync("status", "--porcelain", "--untracked-files=no")).Length > 0, environment["git"]!["dirty"]!.GetValue<bool>());
    }

    [Fact]
    public async Task System_metrics_are_history_at_the_runs_step_and_stay_out_of_its_summary()
    {
        var project = StackFixture.NewProject("system");
        string runId;
        await using (var run = await Experiment.InitAsync(stack.Settings(project) with { SystemMetricsInterval = TimeSpan.FromMilliseconds(200) }))
        {
            runId = run.Id;
            run.Log(new Dictionary<string, double> { ["loss"] = 1 });
            run.Log(new Dictionary<string, double> { ["loss"] = 0.5 });
            await stack.WaitForJsonAsync($"/api/v1/projects/{project}/runs/{runId}/history?keys=system/proc.memory.rss_mb&samples=100",
                h => h?["series"]?["system/proc.memory.rss_mb"]?["x"]?.AsArray().Count > 0, "a sample of system metrics");
        }
        var details = await stack.WaitForJsonAsync($"/api/v1/projects/{project}/runs/{runId}", r => r?["state"]?.GetValue<string>() == "finished", "the run to finish");
        Assert.Equal(1, details!["lastStep"]!.GetValue<long>());
        Assert.Equal(["loss"], details["summary"]!.AsObject().Select(p => p.Key));
        var history = await stack.GetJsonAsync($"/api/v1/projects/{project}/runs/{runId}/history?samples=100");
        var keys = history!["series"]!.AsObject().Select(p => p.Key).ToList();
        foreach (var key in new[] { "system/cpu.percent", "system/proc.cpu.percent", "system/memory.percent", "system/proc.memory.rss_mb", "system/network.recv_mb", "system/disk.read_mb" })
            Assert.Contains(key, keys);
        Assert.DoesNotContain(keys, k => k.StartsWith("system/gpu", StringComparison.Ordinal));
        Assert.All(history["series"]!["system/proc.memory.rss_mb"]!["x"]!.AsArray(), x => Assert.InRange(x!.GetValue<double>(), 0, 1));
    }

    [Fact]
    public async Task Defined_metrics_are_summarised_as_defined_and_bad_definitions_name_the_field()
    {
        var project = StackFixture.NewProject("define");
        string runId;
        await using (var run = await Experiment.InitAsync(stack.Settings(project)))
        {
            runId = run.Id;
            run.DefineMetric("val/acc", summary: "max", stepMetric: "epoch");
            run.DefineMetric("loss", summary: "min");
            run.DefineMetric("val/*", summary: "mean");
            run.DefineMetric("lr", summary: "none");
            foreach (var (acc, loss, f1, epoch) in new[] { (0.5, 0.9, 0.2, 0.0), (0.8, 0.4, 0.4, 1), (0.7, 0.6, 0.9, 2) })
                run.Log(new Dictionary<string, double> { ["val/acc"] = acc, ["loss"] = loss, ["val/f1"] = f1, ["epoch"] = epoch, ["lr"] = 0.1 });
        }
        var details = await stack.WaitForJsonAsync($"/api/v1/projects/{project}/runs/{runId}", r => r?["state"]?.GetValue<string>() == "finished", "the run to finish");
        var summary = details!["summary"]!.AsObject();
        Assert.Equal(0.8, summary["val/acc"]!.GetValue<double>());
        Assert.Equal(0.4, summary["loss"]!.GetValue<double>());
        Assert.Equal(0.5, summary["val/f1"]!.GetValue<double>(), 9);
        Assert.Equal(2, summary["epoch"]!.GetValue<double>());
        Assert.False(summary.ContainsKey("lr"));
        Assert.Equal("epoch", details["metricDefinitions"]!["val/acc"]!["stepMetric"]!.GetValue<string>());

        // Sorting and filtering use the summary as defined.
        var best = await stack.GetJsonAsync($"/api/v1/projects/{project}/runs?filters={Uri.EscapeDataString("""{"summary.val/acc":{"$gte":0.8}}""")}");
        Assert.Equal(1, best!["total"]!.GetValue<long>());

        using var ingest = new RawIngestClient(stack.IngestUrl, stack.ApiKey);
        var raw = new RunRef { Project = project, RunId = "bad-definitions" };
        var replies = await ingest.SendAsync(RawIngestClient.Started(raw, 1),
            new RunFrame { Run = raw, Sequence = 2, MetricDefined = new MetricDefined { Name = "acc", Summary = "median" } },
            new RunFrame { Run = raw, Sequence = 3, MetricDefined = new MetricDefined { Name = "a*b" } });
        Assert.Equal(["metric_defined.summary", "metric_defined.name"],
            replies.Where(r => r.ReplyCase == IngestReply.ReplyOneofCase.Error).Select(r => r.Error.Field));
    }

    [Fact]
    public async Task Summaries_hold_strings_and_booleans_that_filters_and_sort_handle()
    {
        var project = StackFixture.NewProject("summary-types");
        var ids = new List<string>();
        foreach (var (model, converged, accuracy) in new[] { ("resnet", true, 0.9), ("vit", false, 0.8), ("convnext", true, double.NaN) })
        {
            await using var run = await Experiment.InitAsync(stack.Settings(project));
            ids.Add(run.Id);
            run.Summary.Set("best_model", model);
            run.Summary.Set("converged", converged);
            run.Summary["accuracy"] = accuracy;
        }
        await stack.WaitForJsonAsync($"/api/v1/projects/{project}/runs?filters={Uri.EscapeDataString("""{"state":"finished"}""")}",
            p => p?["total"]?.GetValue<long>() == 3, "the three runs");

        var resnet = await stack.GetJsonAsync($"/api/v1/projects/{project}/runs/{ids[0]}");
        Assert.Equal("resnet", resnet!["summary"]!["best_model"]!.GetValue<string>());
        Assert.True(resnet["summary"]!["converged"]!.GetValue<bool>());

        async Task<string[]> MatchingAsync(string filter, string order = "summary.best_model") =>
            [.. (await stack.GetJsonAsync($"/api/v1/projects/{project}/runs?order={order}&filters={Uri.EscapeDataString(filter)}"))!["runs"]!
                .AsArray().Select(r => r!["summary"]!["best_model"]!.GetValue<string>())];
        Assert.Equal(["convnext", "resnet"], await MatchingAsync("""{"summary.converged": true}"""));
        Assert.Equal(["resnet", "vit"], await MatchingAsync("""{"summary.best_model": {"$gt": "d"}}"""));
        Assert.Equal(["vit", "resnet", "convnext"], await MatchingAsync("{}", "-summary.best_model"));
        // NaN (stored as "NaN") is a number: it takes part in no string comparison.
        Assert.Equal(["resnet", "vit"], await MatchingAsync("""{"summary.accuracy": {"$gt": 0}}"""));
        Assert.Empty(await MatchingAsync("""{"summary.accuracy": {"$gt": "A"}}"""));

        using var ingest = new RawIngestClient(stack.IngestUrl, stack.ApiKey);
        var raw = new RunRef { Project = project, RunId = "twice" };
        var replies = await ingest.SendAsync(RawIngestClient.Started(raw, 1),
            new RunFrame { Run = raw, Sequence = 2, SummaryUpdated = new SummaryUpdated { Values = { ["x"] = 1 }, Strings = { ["x"] = "one" } } });
        Assert.Equal("summary_updated.strings", replies.Single(r => r.ReplyCase == IngestReply.ReplyOneofCase.Error).Error.Field);
    }

    private static async Task Diverge()
    {
        await Task.Yield();
        throw new InvalidOperationException("the loss diverged at step 3");
    }

    [Fact]
    public async Task Runs_without_a_name_are_numbered_within_their_project_and_renames_are_events()
    {
        var project = StackFixture.NewProject("names");
        using var ingest = new RawIngestClient(stack.IngestUrl, stack.ApiKey);
        var runs = Enumerable.Range(0, 4).Select(i => new RunRef { Project = project, RunId = $"r{i}" }).ToArray();
        // Three unnamed runs and a named one, started concurrently (one batch, or several on either consumer).
        await Task.WhenAll(runs.Select((run, i) => ingest.SendAsync(new RunFrame { Run = run, Sequence = 1, Started = new RunStarted { Name = i == 3 ? "my baseline" : "" } })));
        var page = await stack.WaitForJsonAsync($"/api/v1/projects/{project}/runs", p => p?["total"]?.GetValue<long>() == 4, "the four runs");
        var names = page!["runs"]!.AsArray().ToDictionary(r => r!["runId"]!.GetValue<string>(), r => r!["name"]!.GetValue<string>());
        Assert.Equal("my baseline", names["r3"]);
        var generated = new[] { "r0", "r1", "r2" }.Select(id => names[id]).ToList();
        Assert.All(generated, name => Assert.Matches("^[a-z]+-[a-z]+-[123]$", name));
        Assert.Equal(["1", "2", "3"], generated.Select(n => n[(n.LastIndexOf('-') + 1)..]).Order());

        // Renamed by the run itself (a frame) and from the dashboard (an edit): both are events of its stream.
        var replies = await ingest.SendAsync(new RunFrame { Run = runs[0], Sequence = 2, Edited = new RunEdited { Name = "lr-0.1" } });
        Assert.Equal(IngestReply.ReplyOneofCase.Ack, replies.Single().ReplyCase);
        await stack.WaitForJsonAsync($"/api/v1/projects/{project}/runs/r0", r => r?["name"]?.GetValue<string>() == "lr-0.1", "the run's own rename");
        using var renamed = await stack.Query.PatchAsJsonAsync($"/api/v1/projects/{project}/runs/r0", new { name = "lr-0.1 (best)" });
        Assert.Equal(HttpStatusCode.OK, renamed.StatusCode);
        Assert.Equal("lr-0.1 (best)", (await stack.GetJsonAsync($"/api/v1/projects/{project}/runs/r0"))!["name"]!.GetValue<string>());
        await using (var database = await stack.OpenDatabaseAsync())
        {
            await using var command = new NpgsqlCommand("select count(*) from runstream.mt_events where stream_id = $1 and type = 'run_edited'", database)
            {
                Parameters = { new() { Value = $"{stack.Entity}/{project}/r0" } },
            };
            Assert.Equal(2L, await command.ExecuteScalarAsync());
        }

        using var empty = await stack.Query.PatchAsJsonAsync($"/api/v1/projects/{project}/runs/r0", new { name = "" });
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        Assert.Contains("body.name is empty", await empty.Content.ReadAsStringAsync());
        var refused = await ingest.SendAsync(new RunFrame { Run = runs[1], Sequence = 2, Edited = new RunEdited { Name = "tab\there" } });
        Assert.Equal("edited.name", refused.Single(r => r.ReplyCase == IngestReply.ReplyOneofCase.Error).Error.Field);
    }

    [Fact]
    public async Task Console_lines_page_and_follow_and_long_lines_are_cut_with_a_marker()
    {
        var project = StackFixture.NewProject("console");
        var run = new RunRef { Project = project, RunId = "printer" };
        using var ingest = new RawIngestClient(stack.IngestUrl, stack.ApiKey);
        await ingest.SendAsync(RawIngestClient.Started(run, 1),
            ConsoleFrame(run, 2, ("epoch 1", ConsoleStream.Stdout), (new string('x', 12_000), ConsoleStream.Stdout), ("nul\0here", ConsoleStream.Stderr)));
        var page = await stack.WaitForJsonAsync($"/api/v1/projects/{project}/runs/printer/logs?limit=2", p => p?["total"]?.GetValue<long>() == 3, "three lines");
        Assert.Equal(["epoch 1", new string('x', 10_000) + " … [line cut: 2,000 more characters]"], page!["lines"]!.AsArray().Select(l => l!["text"]!.GetValue<string>()));
        Assert.Equal(2, page["next"]!.GetValue<long>());
        var rest = await stack.GetJsonAsync($"/api/v1/projects/{project}/runs/printer/logs?from=2");
        var last = rest!["lines"]!.AsArray().Single()!;
        Assert.Equal(("nul\uFFFDhere", "stderr", 2L), (last["text"]!.GetValue<string>(), last["stream"]!.GetValue<string>(), last["line"]!.GetValue<long>()));
        Assert.Null(rest["next"]);
        var tail = await stack.GetJsonAsync($"/api/v1/projects/{project}/runs/printer/logs?tail=1");
        Assert.Equal(2, tail!["lines"]![0]!["line"]!.GetValue<long>());

        // Follow: the lines so far, then each new batch.
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var events = await stack.Query.GetStreamAsync($"/api/v1/projects/{project}/runs/printer/logs/events?from=1", cancel.Token);
        var reader = new StreamReader(events);
        var first = await ServerSentEvents.NextAsync(reader, "lines", cancel.Token);
        Assert.Equal([1L, 2L], first.AsArray().Select(l => l!["line"]!.GetValue<long>()));
        await ingest.SendAsync(ConsoleFrame(run, 3, ("epoch 2", ConsoleStream.Stdout)));
        var next = await ServerSentEvents.NextAsync(reader, "lines", cancel.Token);
        Assert.Equal(("epoch 2", 3L), (next[0]!["text"]!.GetValue<string>(), next[0]!["line"]!.GetValue<long>()));

        using var badLimit = await stack.Query.GetAsync($"/api/v1/projects/{project}/runs/printer/logs?limit=0");
        Assert.Equal(HttpStatusCode.BadRequest, badLimit.StatusCode);
        Assert.Contains("limit is 0; it is 1 to 10000 lines", await badLimit.Content.ReadAsStringAsync());
        var badStream = await ingest.SendAsync(new RunFrame { Run = run, Sequence = 4, Console = new ConsoleLogged { Lines = { new ConsoleLine { Stream = (ConsoleStream)7, Text = "?" } } } });
        var error = badStream.Single(r => r.ReplyCase == IngestReply.ReplyOneofCase.Error).Error;
        Assert.Equal(("console.lines[0].stream", "INVALID_ARGUMENT"), (error.Field, error.Code));
    }

    [Fact]
    public async Task A_runs_console_output_stops_at_its_limit_with_a_marker_and_its_frames_still_apply()
    {
        var project = StackFixture.NewProject("console-limit");
        var run = new RunRef { Project = project, RunId = "chatty" };
        using var ingest = new RawIngestClient(stack.IngestUrl, stack.ApiKey);
        await ingest.SendAsync(RawIngestClient.Started(run, 1));
        // 4 frames of 1,000 lines of 10,000 bytes: 40 MB, over the 32 MiB a run keeps.
        var line = new string('y', 10_000);
        for (var sequence = 2; sequence <= 5; sequence++)
            await ingest.SendAsync(ConsoleFrame(run, sequence, [.. Enumerable.Repeat((line, ConsoleStream.Stdout), 1000)]));
        await ingest.SendAsync(ConsoleFrame(run, 6, ("after the limit", ConsoleStream.Stdout)), RawIngestClient.Finished(run, 7));

        var details = await stack.WaitForJsonAsync($"/api/v1/projects/{project}/runs/chatty", r => r?["state"]?.GetValue<string>() == "finished", "the run to finish");
        Assert.Equal(7, details!["lastSequence"]!.GetValue<long>());
        Assert.True(details["consoleLimitReached"]!.GetValue<bool>());
        var total = details["consoleLines"]!.GetValue<long>();
        Assert.Equal(32L * 1024 * 1024 / 10_000 + 1, total);
        var tail = await stack.GetJsonAsync($"/api/v1/projects/{project}/runs/chatty/logs?tail=2");
        Assert.True(tail!["limitReached"]!.GetValue<bool>());
        Assert.Equal(line, tail["lines"]![0]!["text"]!.GetValue<string>());
        Assert.StartsWith("[console output stops here: the run reached its limit of 32 MiB", tail["lines"]![1]!["text"]!.GetValue<string>());
    }

    private static RunFrame ConsoleFrame(RunRef run, long sequence, params (string Text, ConsoleStream Stream)[] lines) => new()
    {
        Run = run,
        Sequence = sequence,
        Console = new ConsoleLogged { Lines = { lines.Select(l => new ConsoleLine { TimeUnixMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), Stream = l.Stream, Text = l.Text }) } },
    };

    private static async Task<string> GitAsync(params string[] args)
    {
        var start = new ProcessStartInfo("git") { WorkingDirectory = AppContext.BaseDirectory, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        using var git = Process.Start(start)!;
        var output = await git.StandardOutput.ReadToEndAsync();
        await git.WaitForExitAsync();
        return output.Trim();
    }
}
