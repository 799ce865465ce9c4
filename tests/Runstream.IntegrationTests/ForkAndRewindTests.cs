using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Runstream.Client;
using Runstream.Contracts.V1;

namespace Runstream.IntegrationTests;

/// <summary>
/// fork_from and resume_from over the real stack, frame by frame: a fork reads its ancestors' history up to the fork
/// steps and goes on with its own; a rewind supersedes what the run logged after its step, and the events stay.
/// </summary>
[Collection(StackCollection.Name)]
public sealed class ForkAndRewindTests(StackFixture stack)
{
    [Fact]
    public async Task A_fork_reads_its_ancestors_history_up_to_the_fork_steps_and_starts_with_their_summary()
    {
        var project = StackFixture.NewProject("fork");
        using var ingest = new RawIngestClient(stack.IngestUrl, stack.ApiKey);
        // The parent logs 100 steps in one frame (one chunk the fork step cuts through); "acc" only the parent logs.
        var parent = new RunRef { Project = project, RunId = "parent" };
        await SendAllAsync(ingest, RawIngestClient.Started(parent, 1), Rows(parent, 2, 0, 99, step => [("loss", step), ("acc", step / 100.0)]),
            RawIngestClient.Finished(parent, 3));
        var child = new RunRef { Project = project, RunId = "child" };
        await SendAllAsync(ingest, Fork(child, "parent", 49), Rows(child, 2, 50, 79, step => [("loss", 1000 + step)]), RawIngestClient.Finished(child, 3));
        var grandchild = new RunRef { Project = project, RunId = "grandchild" };
        await SendAllAsync(ingest, Fork(grandchild, "child", 60), Rows(grandchild, 2, 61, 70, step => [("loss", 2000 + step)]));

        var details = await stack.WaitForJsonAsync($"/api/v1/projects/{project}/runs/grandchild", r => r?["lastStep"]?.GetValue<long>() == 70, "the grandchild's steps");
        Assert.Equal("child", details!["forkedFrom"]!["runId"]!.GetValue<string>());
        Assert.Equal(60, details["forkedFrom"]!["step"]!.GetValue<long>());
        Assert.Equal(2070, details["summary"]!["loss"]!.GetValue<double>());
        // What it inherited: the parent's last "acc" up to step 49, through the child.
        Assert.Equal(0.49, details["summary"]!["acc"]!.GetValue<double>());

        var rows = (await stack.GetJsonAsync($"/api/v1/projects/{project}/runs/grandchild/history?keys=loss"))!.AsArray();
        Assert.Equal(Enumerable.Range(0, 71).Select(s => (long)s), rows.Select(r => r!["_step"]!.GetValue<long>()));
        Assert.All(rows, row =>
        {
            var step = row!["_step"]!.GetValue<long>();
            Assert.Equal(step <= 49 ? step : step <= 60 ? 1000 + step : 2000 + step, row["loss"]!.GetValue<double>());
        });
        var sampled = await stack.GetJsonAsync($"/api/v1/projects/{project}/runs/child/history?keys=loss,acc&samples=1000");
        Assert.Equal(Enumerable.Range(0, 80).Select(s => (double)s), Series(sampled, "loss")["x"]!.AsArray().Select(x => x!.GetValue<double>()));
        Assert.Equal(50, Series(sampled, "acc")["x"]!.AsArray().Count);

        // The parent is as it was: a fork references its history, it does not take it.
        var parentRows = (await stack.GetJsonAsync($"/api/v1/projects/{project}/runs/parent/history?keys=loss"))!.AsArray();
        Assert.Equal(100, parentRows.Count);
        var lineage = await stack.GetJsonAsync($"/api/v1/projects/{project}/runs/grandchild/lineage");
        Assert.Equal(["child@60", "parent@49"], lineage!["ancestors"]!.AsArray().Select(a => $"{a!["runId"]}@{a["step"]}"));
        var forks = await stack.GetJsonAsync($"/api/v1/projects/{project}/runs/parent/lineage");
        Assert.Equal("child@49", Assert.Single(forks!["forks"]!.AsArray())!.AsObject() is var fork ? $"{fork["runId"]}@{fork["step"]}" : null);
        var audit = await stack.GetJsonAsync($"/api/v1/projects/{project}/runs/child/audit");
        Assert.Contains("forked from parent at step 49", audit!["entries"]![0]!["detail"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_rewind_supersedes_the_steps_after_it_keeps_their_events_and_survives_a_rebuild()
    {
        var project = StackFixture.NewProject("rewind");
        using var ingest = new RawIngestClient(stack.IngestUrl, stack.ApiKey);
        var run = new RunRef { Project = project, RunId = "rewound" };
        // "late" exists only after the rewind step: the rewind forgets it.
        await SendAllAsync(ingest, RawIngestClient.Started(run, 1), Rows(run, 2, 0, 99, step => [("loss", step)]),
            Rows(run, 3, 80, 99, step => [("late", step)]), RawIngestClient.Finished(run, 4));
        await stack.WaitForJsonAsync($"/api/v1/projects/{project}/runs/rewound", r => r?["state"]?.GetValue<string>() == "finished", "the run to finish");

        await SendAllAsync(ingest, new RunFrame { Run = run, Sequence = 5, Resumed = new RunResumed { RewindToStep = 49 } },
            Rows(run, 6, 50, 59, step => [("loss", 500 + step)]), RawIngestClient.Finished(run, 7));
        var details = await stack.WaitForJsonAsync($"/api/v1/projects/{project}/runs/rewound",
            r => r?["lastSequence"]?.GetValue<long>() == 7, "the rewound run to finish again");
        Assert.Equal(59, details!["lastStep"]!.GetValue<long>());
        Assert.Equal(559, details["summary"]!["loss"]!.GetValue<double>());
        Assert.Null(details["summary"]!["late"]);
        Assert.Equal(49, Assert.Single(details["rewinds"]!.AsArray())!["step"]!.GetValue<long>());
        await AssertRewoundHistoryAsync(project);

        // Superseded, not erased: the events that logged steps 50 to 99 are still the run's.
        await using (var database = await stack.OpenDatabaseAsync())
        await using (var command = database.CreateCommand())
        {
            command.CommandText = "select count(*) from runstream.mt_events where stream_id = $1 and type = 'metrics_logged'";
            command.Parameters.Add(new() { Value = $"{stack.Entity}/{project}/rewound" });
            Assert.Equal(3L, await command.ExecuteScalarAsync());
        }
        var audit = await stack.GetJsonAsync($"/api/v1/projects/{project}/runs/rewound/audit");
        Assert.Contains(audit!["entries"]!.AsArray(), e => e!["kind"]!.GetValue<string>() == "rewound" && e["detail"]!.GetValue<string>().StartsWith("to step 49"));

        // A rebuild replays the rewind where it happened, so it gives the same history.
        using var rebuild = await stack.Admin.PostAsJsonAsync("/admin/v1/rebuilds", new { readModel = "metric-history" });
        rebuild.EnsureSuccessStatusCode();
        var id = (await rebuild.Content.ReadFromJsonAsync<JsonNode>())!["id"]!.GetValue<string>();
        var done = await Poll.UntilAsync(async () => (await QueryJson.GetAsync(stack.Admin, $"/admin/v1/rebuilds/{id}"))!,
            p => p["state"]!.GetValue<string>() is "succeeded" or "failed", "the history rebuilt", TimeSpan.FromMinutes(2));
        Assert.Equal("succeeded", done["state"]!.GetValue<string>());
        await AssertRewoundHistoryAsync(project);
    }

    [Fact]
    public async Task A_fork_rewound_below_its_fork_step_leaves_the_parents_later_steps_and_the_project_counts_follow()
    {
        var project = StackFixture.NewProject("fork-rewind");
        using var ingest = new RawIngestClient(stack.IngestUrl, stack.ApiKey);
        var parent = new RunRef { Project = project, RunId = "parent" };
        await SendAllAsync(ingest, RawIngestClient.Started(parent, 1), Rows(parent, 2, 0, 9, step => [("loss", step)]), RawIngestClient.Finished(parent, 3));
        var fork = new RunRef { Project = project, RunId = "fork" };
        await SendAllAsync(ingest, Fork(fork, "parent", 6), Rows(fork, 2, 7, 8, step => [("loss", 100 + step)]), RawIngestClient.Finished(fork, 3));

        await SendAllAsync(ingest, new RunFrame { Run = fork, Sequence = 4, Resumed = new RunResumed { RewindToStep = 2 } },
            Rows(fork, 5, 3, 3, step => [("loss", 300 + step)]));
        var rows = (await stack.GetJsonAsync($"/api/v1/projects/{project}/runs/fork/history?keys=loss"))!.AsArray();
        Assert.Equal(["0:0", "1:1", "2:2", "3:303"], rows.Select(r => $"{r!["_step"]}:{r["loss"]}"));
        var details = await stack.GetJsonAsync($"/api/v1/projects/{project}/runs/fork");
        Assert.Equal((3L, 303.0), (details!["lastStep"]!.GetValue<long>(), details["summary"]!["loss"]!.GetValue<double>()));

        // The rewound fork runs again: one running and one finished run, as the project page counts them.
        await stack.WaitForJsonAsync($"/api/v1/projects/{project}", p => p?["runsByState"]?["running"]?.GetValue<int>() == 1
            && p["runsByState"]!["finished"]?.GetValue<int>() == 1, "the project to count the rewound run as running");
    }

    [Fact]
    public async Task A_rewind_that_arrives_with_the_frames_before_it_summarises_them_too()
    {
        var project = StackFixture.NewProject("rewind-batch");
        using var ingest = new RawIngestClient(stack.IngestUrl, stack.ApiKey);
        var run = new RunRef { Project = project, RunId = "replayed" };
        // As a spool replays a killed process's last frames right before the new process's rewind.
        await SendAllAsync(ingest, RawIngestClient.Started(run, 1), Rows(run, 2, 0, 9, step => [("loss", step)]),
            Rows(run, 3, 10, 19, step => [("acc", step / 100.0)]), new RunFrame { Run = run, Sequence = 4, Resumed = new RunResumed { RewindToStep = 15 } },
            Rows(run, 5, 16, 17, step => [("late", step)]), new RunFrame { Run = run, Sequence = 6, Resumed = new RunResumed { RewindToStep = 16 } });
        var details = await stack.GetJsonAsync($"/api/v1/projects/{project}/runs/replayed");
        Assert.Equal(0.15, details!["summary"]!["acc"]!.GetValue<double>());
        Assert.Equal(9, details["summary"]!["loss"]!.GetValue<double>());
        // The second rewind, behind the first in the same batch, also counted what came between them.
        Assert.Equal(16, details["summary"]!["late"]!.GetValue<double>());
        Assert.Equal([15L, 16L], details["rewinds"]!.AsArray().Select(r => r!["step"]!.GetValue<long>()));
        Assert.Equal(16, details["lastStep"]!.GetValue<long>());
    }

    [Fact]
    public async Task A_fork_of_a_run_that_does_not_exist_or_past_its_history_is_recorded_as_rejected()
    {
        var project = StackFixture.NewProject("fork-missing");
        using var ingest = new RawIngestClient(stack.IngestUrl, stack.ApiKey);
        var parent = new RunRef { Project = project, RunId = "short" };
        await SendAllAsync(ingest, RawIngestClient.Started(parent, 1), Rows(parent, 2, 0, 3, step => [("loss", step)]));
        await SendAllAsync(ingest, Fork(new RunRef { Project = project, RunId = "orphan" }, "nobody", 0));
        await SendAllAsync(ingest, Fork(new RunRef { Project = project, RunId = "beyond" }, "short", 9));

        var orphan = await stack.GetJsonAsync($"/api/v1/projects/{project}/runs/orphan");
        Assert.Contains("run 'nobody' does not exist", orphan!["rejectedFrames"]![0]!["reason"]!.GetValue<string>());
        var beyond = await stack.GetJsonAsync($"/api/v1/projects/{project}/runs/beyond");
        Assert.Contains("has logged up to step 3; step 9 is past its history", beyond!["rejectedFrames"]![0]!["reason"]!.GetValue<string>());
        Assert.Null(beyond["forkedFrom"]);
    }

    [Fact]
    public async Task A_fork_from_itself_or_from_a_negative_step_is_refused_by_name()
    {
        var project = StackFixture.NewProject("fork-bad");
        using var ingest = new RawIngestClient(stack.IngestUrl, stack.ApiKey);
        var replies = await ingest.SendAsync(Fork(new RunRef { Project = project, RunId = "self" }, "self", 3),
            Fork(new RunRef { Project = project, RunId = "negative" }, "parent", -1),
            new RunFrame { Run = new RunRef { Project = project, RunId = "negative" }, Sequence = 2, Resumed = new RunResumed { RewindToStep = -5 } });
        var errors = replies.Where(r => r.Error is not null).Select(r => r.Error).ToList();
        Assert.Contains(errors, e => e.Field == "started.fork_from.run_id" && e.Message.Contains("cannot fork from itself"));
        Assert.Contains(errors, e => e.Field == "started.fork_from.step" && e.Message.Contains("steps start at 0"));
        Assert.Contains(errors, e => e.Field == "resumed.rewind_to_step");
    }

    [Fact]
    public async Task The_csharp_sdk_forks_and_rewinds_as_the_python_one_does()
    {
        var project = StackFixture.NewProject("fork-sdk");
        string parentId;
        await using (var parent = await Experiment.InitAsync(stack.Settings(project) with { Config = new { lr = 0.1, layers = 2 } }))
        {
            parentId = parent.Id;
            for (var step = 0; step < 10; step++)
                parent.Log(new Dictionary<string, double> { ["loss"] = step });
        }
        await stack.WaitForJsonAsync($"/api/v1/projects/{project}/runs/{parentId}", r => r?["state"]?.GetValue<string>() == "finished", "the parent to finish");

        string childId;
        await using (var child = await Experiment.InitAsync(stack.Settings(project) with { ForkFrom = RunStepReference.Parse($"{parentId}?_step=4"), Config = new { lr = 0.01 } }))
        {
            childId = child.Id;
            Assert.Equal(0.01, child.Config.Get<double>("lr"));
            Assert.Equal(2, child.Config.Get<int>("layers"));
            child.Log(new Dictionary<string, double> { ["loss"] = 50 });
        }
        var fork = await stack.WaitForJsonAsync($"/api/v1/projects/{project}/runs/{childId}", r => r?["state"]?.GetValue<string>() == "finished", "the fork to finish");
        Assert.Equal(5, fork!["lastStep"]!.GetValue<long>());
        var forkLosses = await LossesAsync(project, childId);
        Assert.Equal([0, 1, 2, 3, 4, 50], forkLosses);

        await using (var rewound = await Experiment.InitAsync(stack.Settings(project) with
        {
            ResumeFrom = RunStepReference.Parse($"{parentId}?_step=2"),
            SpoolDirectory = Directory.CreateTempSubdirectory("runstream-rewind-").FullName,
        }))
            rewound.Log(new Dictionary<string, double> { ["loss"] = 30 });
        await stack.WaitForJsonAsync($"/api/v1/projects/{project}/runs/{parentId}",
            r => r?["state"]?.GetValue<string>() == "finished" && r["rewinds"]?.AsArray().Count == 1, "the rewound parent to finish");
        var rewoundLosses = await LossesAsync(project, parentId);
        Assert.Equal([0, 1, 2, 30], rewoundLosses);
        // The fork was made before the rewind: it reads its parent as the parent was then.
        var forkLossesAfter = await LossesAsync(project, childId);
        Assert.Equal([0, 1, 2, 3, 4, 50], forkLossesAfter);
        var refused = await Assert.ThrowsAsync<RunResumeException>(() => Experiment.InitAsync(stack.Settings(project) with { ForkFrom = new RunStepReference(parentId, 9) }));
        Assert.Contains("has logged up to step 3; step 9 is past its history", refused.Message);
    }

    private async Task<double[]> LossesAsync(string project, string runId) =>
        [.. (await stack.GetJsonAsync($"/api/v1/projects/{project}/runs/{runId}/history?keys=loss"))!.AsArray().Select(r => r!["loss"]!.GetValue<double>())];

    private async Task AssertRewoundHistoryAsync(string project)
    {
        var rows = (await stack.GetJsonAsync($"/api/v1/projects/{project}/runs/rewound/history"))!.AsArray();
        Assert.Equal(Enumerable.Range(0, 60).Select(s => (long)s), rows.Select(r => r!["_step"]!.GetValue<long>()));
        Assert.All(rows, row =>
        {
            var step = row!["_step"]!.GetValue<long>();
            Assert.Equal(step <= 49 ? step : 500 + step, row["loss"]!.GetValue<double>());
            Assert.Null(row["late"]);
        });
    }

    private static JsonNode Series(JsonNode? sampled, string key) => sampled!["series"]![key]!;

    private static RunFrame Fork(RunRef run, string parent, long step) => new()
    {
        Run = run,
        Sequence = 1,
        Started = new RunStarted { Name = run.RunId, ForkFrom = new ForkPoint { RunId = parent, Step = step } },
    };

    private static RunFrame Rows(RunRef run, long sequence, long first, long last, Func<long, (string Key, double Value)[]> values)
    {
        var metrics = new MetricsLogged();
        for (var step = first; step <= last; step++)
        {
            var row = new MetricRow { Step = step, TimeUnixMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() };
            foreach (var (key, value) in values(step))
            {
                var index = metrics.Keys.IndexOf(key);
                if (index < 0)
                {
                    index = metrics.Keys.Count;
                    metrics.Keys.Add(key);
                }
                row.KeyIndexes.Add((uint)index);
                row.Values.Add(value);
            }
            metrics.Rows.Add(row);
        }
        return new RunFrame { Run = run, Sequence = sequence, Metrics = metrics };
    }

    /// <summary>Sends the frames and waits until Projections applied them: a fork's start reads its parent as committed.</summary>
    private async Task SendAllAsync(RawIngestClient ingest, params RunFrame[] frames)
    {
        var replies = await ingest.SendAsync(frames);
        Assert.DoesNotContain(replies, r => r.Error is not null);
        var run = frames[0].Run;
        await stack.WaitForJsonAsync($"/api/v1/projects/{run.Project}/runs/{run.RunId}",
            r => r?["lastSequence"]?.GetValue<long>() == frames[^1].Sequence, $"frames up to {frames[^1].Sequence} of {run.RunId}");
    }
}
