using Runstream.Client;

namespace Runstream.IntegrationTests;

[Collection(StackCollection.Name)]
public sealed class RunScopeTests(StackFixture stack)
{
    [Fact]
    public async Task An_exception_inside_the_run_scope_marks_the_run_failed()
    {
        var project = StackFixture.NewProject("failing");
        string? runId = null;

        var thrown = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            Experiment.RunAsync(stack.Settings(project), run =>
            {
                runId = run.Id;
                run.Log(new Dictionary<string, double> { ["loss"] = 2.5 });
                throw new InvalidOperationException("diverged");
            }));
        Assert.Equal("diverged", thrown.Message);

        var details = await stack.WaitForJsonAsync($"/api/v1/projects/{project}/runs/{runId}",
            r => r?["state"]?.GetValue<string>() is "failed" or "finished", "the run to end");
        Assert.Equal("failed", details!["state"]!.GetValue<string>());
        Assert.Equal(1, details["exitCode"]!.GetValue<int>());
        Assert.Equal(2.5, details["summary"]!["loss"]!.GetValue<double>());
    }

    [Fact]
    public async Task A_scope_that_completes_finishes_the_run()
    {
        var project = StackFixture.NewProject("finishing");
        string runId;
        await using (var run = await Experiment.InitAsync(stack.Settings(project)))
        {
            runId = run.Id;
            run.Log(new Dictionary<string, double> { ["loss"] = 1 });
        }
        var details = await stack.WaitForJsonAsync($"/api/v1/projects/{project}/runs/{runId}",
            r => r?["state"]?.GetValue<string>() is "failed" or "finished", "the run to end");
        Assert.Equal("finished", details!["state"]!.GetValue<string>());
        Assert.Equal(0, details["exitCode"]!.GetValue<int>());
    }

    [Fact]
    public async Task Runs_logging_in_parallel_stay_separate()
    {
        var project = StackFixture.NewProject("parallel");
        const int steps = 2000;
        async Task<string> Train(double offset)
        {
            await using var run = await Experiment.InitAsync(stack.Settings(project) with { Config = new { offset } });
            await Task.Yield();
            for (var step = 0; step < steps; step++)
                run.Log(new Dictionary<string, double> { ["value"] = offset + step });
            Assert.True((await run.FinishAsync()).Complete);
            return run.Id;
        }

        var ids = await Task.WhenAll(Train(0), Train(1_000_000));
        for (var i = 0; i < ids.Length; i++)
        {
            var offset = i * 1_000_000.0;
            await stack.WaitForJsonAsync($"/api/v1/projects/{project}/runs/{ids[i]}",
                r => r?["state"]?.GetValue<string>() == "finished", $"run {ids[i]} to finish");
            var history = (await stack.GetJsonAsync($"/api/v1/projects/{project}/runs/{ids[i]}/history"))!.AsArray();
            Assert.Equal(steps, history.Count);
            Assert.All(history, row => Assert.Equal(offset + row!["_step"]!.GetValue<long>(), row["value"]!.GetValue<double>()));
        }
    }
}
