using MassTransit;
using Runstream.Client;
using Runstream.Contracts.Bus;

namespace Runstream.IntegrationTests;

[Collection(StackCollection.Name)]
public sealed class PoisonFrameTests(StackFixture stack)
{
    [Fact]
    public async Task An_unreadable_frame_is_recorded_as_rejected_without_holding_up_other_runs()
    {
        var project = StackFixture.NewProject("poison");
        var bus = Bus.Factory.CreateUsingRabbitMq(rabbit => rabbit.Host(new Uri(StackFixture.RabbitMq)));
        await bus.StartAsync();
        try
        {
            var frames = await bus.GetSendEndpoint(new Uri($"queue:{stack.FramesQueue}"));
            await frames.Send(new RunFrameReceived
            {
                Entity = stack.Entity,
                Project = project,
                RunId = "poison01",
                Sequence = 1,
                ReceivedAt = DateTimeOffset.UtcNow,
                Frame = [0xff, 0xff, 0xff, 0xff],
            });
        }
        finally
        {
            await bus.StopAsync();
        }

        string runId;
        await using (var run = await Experiment.InitAsync(stack.Settings(project)))
        {
            runId = run.Id;
            run.Log(new Dictionary<string, double> { ["loss"] = 1 });
        }
        await stack.WaitForJsonAsync($"/api/v1/projects/{project}/runs/{runId}",
            r => r?["state"]?.GetValue<string>() == "finished", "a healthy run next to the poison frame to finish");

        // The unreadable frame takes its place in its run as a rejected frame, with the reason.
        var poisoned = await stack.WaitForJsonAsync($"/api/v1/projects/{project}/runs/poison01",
            r => r?["rejectedFrames"]?.AsArray().Count == 1, "the unreadable frame to be recorded");
        Assert.Equal(1, poisoned!["rejectedFrames"]![0]!["sequence"]!.GetValue<long>());
        Assert.Contains("cannot be read", poisoned["rejectedFrames"]![0]!["reason"]!.GetValue<string>());
    }
}
