using Runstream.Contracts.V1;

namespace Runstream.IntegrationTests;

[Collection(StackCollection.Name)]
public sealed class CrashDetectionTests(StackFixture stack)
{
    [Fact]
    public async Task A_silent_run_becomes_crashed_and_running_again_when_it_speaks()
    {
        var project = StackFixture.NewProject("crash");
        var run = new RunRef { Project = project, RunId = "silent01" };
        using var ingest = new RawIngestClient(stack.IngestUrl, stack.ApiKey);
        await ingest.SendAsync(RawIngestClient.Started(run, 1), RawIngestClient.Metrics(run, 2, step: 0, ("loss", 1.0)));

        // The job "dies": no frames, no heartbeats.
        await stack.WaitForJsonAsync($"/api/v1/projects/{project}/runs/silent01",
            r => r?["state"]?.GetValue<string>() == "crashed", "the silent run to be marked crashed");

        // A heartbeat alone brings it back.
        await ingest.SendAsync(new RunFrame { Run = run, Heartbeat = new Heartbeat() });
        await stack.WaitForJsonAsync($"/api/v1/projects/{project}/runs/silent01",
            r => r?["state"]?.GetValue<string>() == "running", "a heartbeat to revive the run");

        await stack.WaitForJsonAsync($"/api/v1/projects/{project}/runs/silent01",
            r => r?["state"]?.GetValue<string>() == "crashed", "the run to crash again");

        // So does a frame, and a finish then ends it normally.
        await ingest.SendAsync(RawIngestClient.Metrics(run, 3, step: 1, ("loss", 0.5)), RawIngestClient.Finished(run, 4));
        var details = await stack.WaitForJsonAsync($"/api/v1/projects/{project}/runs/silent01",
            r => r?["state"]?.GetValue<string>() == "finished", "the run to finish");
        Assert.Equal(0.5, details!["summary"]!["loss"]!.GetValue<double>());

        var overview = await stack.WaitForJsonAsync($"/api/v1/projects/{project}",
            p => p?["runsByState"]?["finished"]?.GetValue<int>() == 1, "the overview to count the finished run");
        Assert.Equal(0, overview!["runsByState"]!["crashed"]!.GetValue<int>());
        Assert.Equal(0, overview["runsByState"]!["running"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_run_that_sends_heartbeats_is_not_marked_crashed()
    {
        var project = StackFixture.NewProject("alive");
        await using var run = await Runstream.Client.Experiment.InitAsync(stack.Settings(project));
        run.Log(new Dictionary<string, double> { ["loss"] = 1 });
        await stack.WaitForJsonAsync($"/api/v1/projects/{project}/runs/{run.Id}", r => r is not null, "the run to exist");

        // Idle for longer than the crash timeout, with the SDK's heartbeats going out.
        var quietUntil = DateTime.UtcNow + StackFixture.CrashAfter * 2;
        var states = await Poll.UntilAsync(
            async () => (await stack.GetJsonAsync($"/api/v1/projects/{project}/runs/{run.Id}"))?["state"]?.GetValue<string>(),
            state => state != "running" || DateTime.UtcNow > quietUntil, "the idle period to pass", TimeSpan.FromSeconds(30));
        Assert.Equal("running", states);
    }
}
