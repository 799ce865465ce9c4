using Runstream.Client;

namespace Runstream.IntegrationTests;

[Collection(StackCollection.Name)]
public sealed class StepTests(StackFixture stack)
{
    [Fact]
    public async Task Several_calls_can_log_one_step_and_an_earlier_step_is_rewritten_not_dropped()
    {
        var project = StackFixture.NewProject("steps");
        string runId;
        await using (var run = await Experiment.InitAsync(stack.Settings(project)))
        {
            runId = run.Id;
            run.Log(new Dictionary<string, double> { ["loss"] = 1.0 }, commit: false);
            run.Log(new Dictionary<string, double> { ["accuracy"] = 0.1 });          // step 0 gets both keys
            run.Log(new Dictionary<string, double> { ["loss"] = 0.5, ["accuracy"] = 0.2 }); // step 1
            run.Log(new Dictionary<string, double> { ["loss"] = 0.25 }, step: 5);       // jump ahead
            run.Log(new Dictionary<string, double> { ["loss"] = 0.9 }, step: 1);        // rewrite an earlier step
            run.Log(new Dictionary<string, double> { ["loss"] = 0.1 });                // next automatic step: 6
            Assert.True((await run.FinishAsync()).Complete);
        }

        await stack.WaitForJsonAsync($"/api/v1/projects/{project}/runs/{runId}", r => r?["state"]?.GetValue<string>() == "finished", "the run to finish");
        var rows = (await stack.GetJsonAsync($"/api/v1/projects/{project}/runs/{runId}/history"))!.AsArray();
        Assert.Equal([0L, 1L, 5L, 6L], rows.Select(r => r!["_step"]!.GetValue<long>()));
        Assert.Equal(1.0, rows[0]!["loss"]!.GetValue<double>());
        Assert.Equal(0.1, rows[0]!["accuracy"]!.GetValue<double>());
        Assert.Equal(0.9, rows[1]!["loss"]!.GetValue<double>());
        Assert.Equal(0.2, rows[1]!["accuracy"]!.GetValue<double>());
        Assert.Equal(0.1, rows[3]!["loss"]!.GetValue<double>());
    }
}
