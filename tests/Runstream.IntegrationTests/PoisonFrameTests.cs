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

    [Fact]
    public async Task A_frame_postgres_cannot_store_is_rejected_and_the_rest_of_its_batch_lands()
    {
        // Past Ingest's checks (sent straight to the queue), a start whose notes hold U+0000, which
        // jsonb refuses, and a healthy run's frames in the same batch.
        var project = StackFixture.NewProject("unstorable");
        var unstorable = new Contracts.V1.RunFrame { Started = new Contracts.V1.RunStarted { Notes = "nul \0 here", ConfigJson = "{}" } };
        var healthy = new Contracts.V1.RunFrame { Started = new Contracts.V1.RunStarted { Notes = "fine", ConfigJson = "{}" } };
        var bus = Bus.Factory.CreateUsingRabbitMq(rabbit => rabbit.Host(new Uri(StackFixture.RabbitMq)));
        await bus.StartAsync();
        try
        {
            var frames = await bus.GetSendEndpoint(new Uri($"queue:{stack.FramesQueue}"));
            foreach (var (runId, frame) in new[] { ("unstorable01", unstorable), ("healthy01", healthy) })
                await frames.Send(new RunFrameReceived
                {
                    Entity = stack.Entity,
                    Project = project,
                    RunId = runId,
                    Sequence = 1,
                    ReceivedAt = DateTimeOffset.UtcNow,
                    Frame = Google.Protobuf.MessageExtensions.ToByteArray(frame),
                });
        }
        finally
        {
            await bus.StopAsync();
        }

        var fine = await stack.WaitForJsonAsync($"/api/v1/projects/{project}/runs/healthy01", r => r is not null, "the healthy run");
        Assert.Equal("fine", fine!["notes"]!.GetValue<string>());
        var refused = await stack.WaitForJsonAsync($"/api/v1/projects/{project}/runs/unstorable01",
            r => r?["rejectedFrames"]?.AsArray().Count == 1, "the unstorable frame to be recorded");
        Assert.Contains("cannot be stored", refused!["rejectedFrames"]![0]!["reason"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_batch_that_keeps_failing_lands_in_the_error_queue_and_the_queue_moves_on()
    {
        // A Projections of its own, on a queue of its own.
        var queue = $"run-frames-failing-{Guid.NewGuid():N}"[..32];
        await stack.StartAnotherAsync("projections-failing", "projections", "http", new Dictionary<string, string>
        {
            ["Frames__Queue"] = queue,
        });
        var project = StackFixture.NewProject("failing");
        var bus = Bus.Factory.CreateUsingRabbitMq(rabbit => rabbit.Host(new Uri(StackFixture.RabbitMq)));
        await bus.StartAsync();
        try
        {
            var frames = await bus.GetSendEndpoint(new Uri($"queue:{queue}"));
            // A run key PostgreSQL cannot hold at all (U+0000 in the entity, which Ingest never lets through):
            // not even its rejection can be recorded, so every attempt fails.
            await frames.Send(new RunFrameReceived { Entity = "bad\0entity", Project = project, RunId = "r1", Sequence = 1, ReceivedAt = DateTimeOffset.UtcNow, Rejection = "x" });
            await Poll.UntilAsync(() => MessagesInAsync($"{queue}_error"), count => count == 1, "the failing batch in the error queue");
            var healthy = new Contracts.V1.RunFrame { Started = new Contracts.V1.RunStarted { ConfigJson = "{}" } };
            await frames.Send(new RunFrameReceived { Entity = stack.Entity, Project = project, RunId = "after", Sequence = 1, ReceivedAt = DateTimeOffset.UtcNow, Frame = Google.Protobuf.MessageExtensions.ToByteArray(healthy) });
        }
        finally
        {
            await bus.StopAsync();
        }
        await stack.WaitForJsonAsync($"/api/v1/projects/{project}/runs/after", r => r is not null, "the next frame to be applied");
    }

    public static async Task<uint> MessagesInAsync(string queue)
    {
        var factory = new RabbitMQ.Client.ConnectionFactory { Uri = new Uri(StackFixture.RabbitMq) };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        try
        {
            return (await channel.QueueDeclarePassiveAsync(queue)).MessageCount;
        }
        catch (RabbitMQ.Client.Exceptions.OperationInterruptedException)
        {
            return 0; // not declared yet
        }
    }
}
