using System.Diagnostics;
using Runstream.Client;

namespace Runstream.IntegrationTests;

[Collection(StackCollection.Name)]
public sealed class ResumeTests(StackFixture stack)
{
    [Fact]
    public async Task A_killed_training_process_leaves_a_crashed_run_that_finishes_when_resumed()
    {
        var project = StackFixture.NewProject("killed");
        var spool = Directory.CreateTempSubdirectory("runstream-killed-").FullName;
        var example = Path.Combine(StackFixture.RepoRoot, "examples", "CatClassification", "bin", StackFixture.Configuration, "net10.0", "CatClassification.dll");
        var start = new ProcessStartInfo("dotnet", [example, "--project", project, "--epochs", "1000000"])
        {
            Environment = { ["RUNSTREAM_URL"] = stack.IngestUrl, ["RUNSTREAM_DIR"] = spool, ["RUNSTREAM_API_KEY"] = stack.ApiKey },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var training = Process.Start(start)!;
        var running = await stack.WaitForJsonAsync($"/api/v1/projects/{project}/runs",
            page => page?["runs"]?.AsArray().FirstOrDefault()?["lastStep"]?.GetValue<long>() > 200, "the training run to log 200 steps");
        var runId = running!["runs"]![0]!["runId"]!.GetValue<string>();

        training.Kill();
        await training.WaitForExitAsync();
        var crashed = await stack.WaitForJsonAsync($"/api/v1/projects/{project}/runs/{runId}",
            r => r?["state"]?.GetValue<string>() == "crashed", "the killed run to be marked crashed");
        Assert.Equal(1000000, crashed!["config"]!["epochs"]!.GetValue<int>());

        await using (var run = await Experiment.InitAsync(stack.Settings(project) with { Id = runId, Resume = ResumeMode.Must, SpoolDirectory = spool }))
        {
            Assert.Equal(1000000, run.Config.Get<int>("epochs"));
            for (var i = 0; i < 10; i++)
                run.Log(new Dictionary<string, double> { ["loss"] = 0.01 });
        }

        var finished = await stack.WaitForJsonAsync($"/api/v1/projects/{project}/runs/{runId}",
            r => r?["state"]?.GetValue<string>() == "finished", "the resumed run to finish");
        var lastStep = finished!["lastStep"]!.GetValue<long>();
        var history = (await stack.GetJsonAsync($"/api/v1/projects/{project}/runs/{runId}/history?keys=loss"))!.AsArray();
        // Steps continue where the killed process left off: no gap, no step logged twice.
        Assert.Equal(Enumerable.Range(0, (int)lastStep + 1).Select(s => (long)s), history.Select(r => r!["_step"]!.GetValue<long>()));
        Assert.All(history.TakeLast(10), row => Assert.Equal(0.01, row!["loss"]!.GetValue<double>()));
    }

    [Fact]
    public async Task Resume_never_refuses_an_existing_id_and_must_refuses_a_missing_one()
    {
        var project = StackFixture.NewProject("resume-modes");
        string runId;
        await using (var run = await Experiment.InitAsync(stack.Settings(project)))
            runId = run.Id;
        await stack.WaitForJsonAsync($"/api/v1/projects/{project}/runs/{runId}", r => r?["state"]?.GetValue<string>() == "finished", "the run to finish");

        var fresh = Directory.CreateTempSubdirectory("runstream-modes-").FullName;
        var never = await Assert.ThrowsAsync<RunResumeException>(() => Experiment.InitAsync(stack.Settings(project) with { Id = runId, SpoolDirectory = fresh }));
        Assert.Contains("exists already", never.Message);
        var must = await Assert.ThrowsAsync<RunResumeException>(() => Experiment.InitAsync(stack.Settings(project) with { Id = "nosuchrun", Resume = ResumeMode.Must, SpoolDirectory = fresh }));
        Assert.Contains("does not exist", must.Message);

        await using (var resumed = await Experiment.InitAsync(stack.Settings(project) with { Id = runId, Resume = ResumeMode.Allow, SpoolDirectory = fresh }))
            resumed.Log(new Dictionary<string, double> { ["loss"] = 3 });
        var details = await stack.WaitForJsonAsync($"/api/v1/projects/{project}/runs/{runId}",
            r => r?["summary"]?["loss"]?.GetValue<double>() == 3 && r["state"]?.GetValue<string>() == "finished", "the resumed run to finish again");
        Assert.Equal(0, details!["lastStep"]!.GetValue<long>());
    }

    /// <summary>
    /// Failed before: GetRun answered from the read model, which had none of the acknowledged frames
    /// yet, so the resumed run started again at sequence 1 and all it logged was dropped as duplicates.
    /// </summary>
    [Fact]
    public async Task Resuming_while_the_run_s_frames_wait_in_the_queue_continues_after_them()
    {
        var project = StackFixture.NewProject("resume-backlog");
        var runRef = new Contracts.V1.RunRef { Project = project, RunId = "backlog01" };
        var consumers = stack.ProjectionsOnFramesQueue;
        foreach (var name in consumers)
            await stack.StopAsync(name);
        try
        {
            using var ingest = new RawIngestClient(stack.IngestUrl, stack.ApiKey);
            var acked = await ingest.SendAsync(
                RawIngestClient.Started(runRef, 1),
                RawIngestClient.Metrics(runRef, 2, step: 0, ("loss", 1.0)),
                RawIngestClient.Metrics(runRef, 3, step: 1, ("loss", 0.9)));
            Assert.Equal([1L, 2L, 3L], acked.Select(r => r.Ack.Sequence));

            // The resume waits for the frames ahead of it; Projections comes back meanwhile.
            var fresh = Directory.CreateTempSubdirectory("runstream-backlog-").FullName;
            var resuming = Experiment.InitAsync(stack.Settings(project) with { Id = "backlog01", Resume = ResumeMode.Allow, SpoolDirectory = fresh });
            await Task.WhenAny(resuming, Task.Delay(TimeSpan.FromSeconds(2)));
            Assert.False(resuming.IsCompleted, $"the resume answered before the run's queued frames were applied: {resuming.Exception?.InnerException?.Message}");
            foreach (var name in consumers)
                await stack.StartAgainAsync(name);
            await using (var run = await resuming)
                run.Log(new Dictionary<string, double> { ["loss"] = 0.5 });
        }
        finally
        {
            foreach (var name in consumers.Where(name => !stack.IsRunning(name)))
                await stack.StartAgainAsync(name);
        }

        var details = await stack.WaitForJsonAsync($"/api/v1/projects/{project}/runs/backlog01",
            r => r?["state"]?.GetValue<string>() == "finished", "the resumed run to finish");
        Assert.Equal(0.1, details!["config"]!["lr"]!.GetValue<double>());
        var history = (await stack.GetJsonAsync($"/api/v1/projects/{project}/runs/backlog01/history"))!.AsArray();
        Assert.Equal([0L, 1L, 2L], history.Select(r => r!["_step"]!.GetValue<long>()));
        Assert.Equal(0.5, history[2]!["loss"]!.GetValue<double>());
    }
}
