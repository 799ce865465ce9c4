using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using MassTransit;
using Runstream.Client;
using Runstream.Contracts.Bus;

namespace Runstream.IntegrationTests;

[Collection(StackCollection.Name)]
public sealed class PoisonFrameTests(StackFixture stack)
{
    [Fact]
    public async Task An_unreadable_frame_goes_to_the_error_queue_without_holding_up_other_runs()
    {
        var project = StackFixture.NewProject("poison");
        var bus = Bus.Factory.CreateUsingRabbitMq(rabbit => rabbit.Host(new Uri(StackFixture.RabbitMq)));
        await bus.StartAsync();
        try
        {
            var frames = await bus.GetSendEndpoint(new Uri($"queue:{stack.FramesQueue}"));
            await frames.Send(new RunFrameReceived
            {
                Entity = "default",
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

        using var management = new HttpClient { BaseAddress = new Uri(StackFixture.RabbitManagement) };
        management.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String("guest:guest"u8.ToArray()));
        await Poll.UntilAsync(async () =>
            {
                // MassTransit declares the error queue with the first fault; until then it is 404.
                using var response = await management.GetAsync($"/api/queues/%2F/{stack.FramesQueue}_error");
                if (!response.IsSuccessStatusCode)
                    return 0;
                return (await response.Content.ReadFromJsonAsync<JsonNode>())?["messages"]?.GetValue<long>() ?? 0;
            },
            count => count >= 1, "the poison frame to reach the error queue", TimeSpan.FromSeconds(60));
        Assert.Null(await stack.GetJsonAsync($"/api/v1/projects/{project}/runs/poison01"));
    }
}
