using Runstream.Client;

namespace Runstream.IntegrationTests;

[Collection(StackCollection.Name)]
public sealed class SpoolAndSyncTests(StackFixture stack)
{
    [Fact]
    public async Task An_offline_run_is_spooled_and_synced_later_and_a_second_sync_changes_nothing()
    {
        var project = StackFixture.NewProject("offline");
        var spool = Directory.CreateTempSubdirectory("runstream-offline-").FullName;
        string runId;
        await using (var run = await Experiment.InitAsync(stack.Settings(project) with { Offline = true, SpoolDirectory = spool, Config = new { lr = 0.1 } }))
        {
            runId = run.Id;
            for (var step = 0; step < 500; step++)
                run.Log(new Dictionary<string, double> { ["loss"] = 1.0 / (step + 1) });
            // An artifact offline: its content waits in the spool with the frames.
            var model = Path.Combine(Directory.CreateTempSubdirectory().FullName, "model.bin");
            await File.WriteAllTextAsync(model, $"offline weights {project}");
            await run.LogArtifactAsync(model, name: "model", type: "model");
            var result = await run.FinishAsync();
            Assert.Equal(0, result.Acknowledged);
            Assert.True(result.Unacknowledged >= 3, $"started, metrics and finished frames are spooled; got {result.Unacknowledged}");
        }
        Assert.Null(await stack.GetJsonAsync($"/api/v1/projects/{project}/runs/{runId}"));

        var first = await SyncAsync(spool);
        Assert.Equal(0, first.ExitCode);
        Assert.Contains($"{project}/{runId}: ", first.Output);
        Assert.Contains("synced", first.Output);

        var details = await stack.WaitForJsonAsync($"/api/v1/projects/{project}/runs/{runId}",
            r => r?["state"]?.GetValue<string>() == "finished", "the synced run to be finished");
        Assert.Equal(0.1, details!["config"]!["lr"]!.GetValue<double>());
        var lastSequence = details["lastSequence"]!.GetValue<long>();
        await stack.WaitForJsonAsync($"/api/v1/projects/{project}/artifacts/model/latest", v => v is not null, "the offline artifact");
        Assert.Equal($"offline weights {project}", await stack.Query.GetStringAsync($"/api/v1/projects/{project}/artifacts/model/latest/files/model.bin"));
        Assert.DoesNotContain(Directory.EnumerateFiles(spool, "*", SearchOption.AllDirectories), f => Path.GetDirectoryName(f)!.EndsWith("content"));

        var second = await SyncAsync(spool);
        Assert.Equal(0, second.ExitCode);
        Assert.Contains($"{project}/{runId}: 0 frame(s) uploaded, synced", second.Output);
        var history = (await stack.GetJsonAsync($"/api/v1/projects/{project}/runs/{runId}/history"))!.AsArray();
        Assert.Equal(500, history.Count);
        Assert.Equal(lastSequence, (await stack.GetJsonAsync($"/api/v1/projects/{project}/runs/{runId}"))!["lastSequence"]!.GetValue<long>());
    }

    [Fact]
    public async Task Sync_leaves_a_spool_alone_while_its_run_is_still_logging()
    {
        var project = StackFixture.NewProject("in-use");
        var spool = Directory.CreateTempSubdirectory("runstream-in-use-").FullName;
        string runId;
        await using (var run = await Experiment.InitAsync(stack.Settings(project) with { Offline = true, SpoolDirectory = spool }))
        {
            runId = run.Id;
            run.Log(new Dictionary<string, double> { ["loss"] = 1 });
            var busy = await SyncAsync(spool);
            Assert.Equal(1, busy.ExitCode);
            Assert.Contains($"{project}/{runId}: 0 frame(s) uploaded, skipped: in use", busy.Output);
            await run.FinishAsync();
        }
        var done = await SyncAsync(spool);
        Assert.Equal(0, done.ExitCode);
        await stack.WaitForJsonAsync($"/api/v1/projects/{project}/runs/{runId}", r => r?["state"]?.GetValue<string>() == "finished", "the run synced once it was done");
    }

    [Fact]
    public async Task A_run_that_cannot_reach_ingest_keeps_its_frames_in_the_spool_for_sync()
    {
        var project = StackFixture.NewProject("unreachable");
        var spool = Directory.CreateTempSubdirectory("runstream-unreachable-").FullName;
        var warnings = new List<string>();
        string runId;
        // Nothing listens on port 9 (discard); every connection attempt fails at once.
        await using (var run = await Experiment.InitAsync(stack.Settings(project) with
        {
            Url = "http://127.0.0.1:9",
            SpoolDirectory = spool,
            FinishTimeout = TimeSpan.FromSeconds(1),
            Warn = message => { lock (warnings) warnings.Add(message); },
        }))
        {
            runId = run.Id;
            run.Log(new Dictionary<string, double> { ["loss"] = 0.5 });
            var result = await run.FinishAsync();
            Assert.True(result.Unacknowledged >= 3);
        }
        lock (warnings)
            Assert.Contains(warnings, w => w.Contains("runstream sync"));

        var sync = await SyncAsync(spool);
        Assert.Equal(0, sync.ExitCode);
        var details = await stack.WaitForJsonAsync($"/api/v1/projects/{project}/runs/{runId}",
            r => r?["state"]?.GetValue<string>() == "finished", "the synced run to be finished");
        Assert.Equal(0.5, details!["summary"]!["loss"]!.GetValue<double>());
    }

    private Task<(int ExitCode, string Output)> SyncAsync(string spool) =>
        StackFixture.RunCliAsync(["sync", spool, "--url", stack.IngestUrl, "--timeout", "30"], new Dictionary<string, string> { ["RUNSTREAM_API_KEY"] = stack.ApiKey });
}
