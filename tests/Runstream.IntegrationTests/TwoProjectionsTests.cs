using Npgsql;
using Runstream.Client;

namespace Runstream.IntegrationTests;

/// <summary>Two Projections processes consume the same queue: every run's frames still apply once and in order.</summary>
[Collection(StackCollection.Name)]
public sealed class TwoProjectionsTests(StackFixture stack) : IAsyncLifetime
{
    public Task InitializeAsync() => Task.CompletedTask;

    /// <summary>
    /// The second process goes with the test: tests after it assume one consumer (which copy of a
    /// re-sent frame two competing consumers apply depends on which commits first).
    /// </summary>
    public async Task DisposeAsync()
    {
        if (stack.ProjectionsOnFramesQueue.Contains("projections-2"))
            await stack.StopAsync("projections-2");
    }

    [Fact]
    public async Task Two_projections_processes_apply_each_frame_once_and_in_order()
    {
        await stack.StartSecondProjectionsAsync();
        var project = StackFixture.NewProject("two-projections");
        const int steps = 3000;

        async Task<string> Train(int job)
        {
            // Small frames, many of them, so both processes get frames of every run.
            await using var run = await Experiment.InitAsync(stack.Settings(project) with { MaxRowsPerFrame = 20, FinishTimeout = TimeSpan.FromSeconds(60) });
            for (var step = 0; step < steps; step++)
                run.Log(new Dictionary<string, double> { ["value"] = job * 10_000 + step });
            Assert.True((await run.FinishAsync()).Complete);
            return run.Id;
        }
        var runIds = await Task.WhenAll(Enumerable.Range(0, 6).Select(Train));

        for (var job = 0; job < runIds.Length; job++)
        {
            var details = await Poll.UntilAsync(() => stack.TryGetJsonAsync($"/api/v1/projects/{project}/runs/{runIds[job]}"),
                r => r?["state"]?.GetValue<string>() == "finished", $"run {runIds[job]} to finish", TimeSpan.FromSeconds(60));
            var history = (await stack.GetJsonAsync($"/api/v1/projects/{project}/runs/{runIds[job]}/history"))!.AsArray();
            Assert.Equal(steps, history.Count);
            Assert.All(history, row => Assert.Equal(job * 10_000 + row!["_step"]!.GetValue<long>(), row["value"]!.GetValue<double>()));

            await using var connection = await stack.OpenDatabaseAsync();
            await using var command = new NpgsqlCommand("""
                select count(*), count(distinct data ->> 'sequence'), bool_and(seq_id > coalesce(previous, 0))
                from (select seq_id, data, lag(seq_id) over (order by (data ->> 'sequence')::bigint) as previous
                      from runstream.mt_events where stream_id = $1 and data ? 'sequence') frames
                """, connection);
            command.Parameters.Add(new NpgsqlParameter { Value = details!["id"]!.GetValue<string>() });
            await using var reader = await command.ExecuteReaderAsync();
            await reader.ReadAsync();
            Assert.Equal(details["lastSequence"]!.GetValue<long>(), reader.GetInt64(0));
            Assert.Equal(reader.GetInt64(0), reader.GetInt64(1));
            Assert.True(reader.GetBoolean(2), "events were appended out of sequence order");
        }
    }

    [Fact]
    public async Task With_partitions_each_projections_instance_applies_only_the_runs_of_its_own_queue()
    {
        // As in Kubernetes: Ingest routes each run to one of two queues; Projections 0 and 1 each consume one.
        var queue = $"run-frames-parts-{Guid.NewGuid():N}"[..28];
        foreach (var partition in new[] { 0, 1 })
            await stack.StartAnotherAsync($"projections-part-{partition}", "projections", "http", new Dictionary<string, string>
            {
                ["Frames__Queue"] = queue,
                ["Frames__Partitions"] = "2",
                ["Frames__Partition"] = partition.ToString(System.Globalization.CultureInfo.InvariantCulture),
            });
        var ingest = await stack.StartAnotherAsync("ingest-parts", "ingest", "http", new Dictionary<string, string>
        {
            ["Ingest__Queue"] = queue,
            ["Ingest__Partitions"] = "2",
        });

        var project = StackFixture.NewProject("partitions");
        var runIds = new List<string>();
        for (var job = 0; job < 8; job++)
        {
            await using var run = await Experiment.InitAsync(stack.Settings(project) with { Url = ingest, MaxRowsPerFrame = 50 });
            for (var step = 0; step < 500; step++)
                run.Log(new Dictionary<string, double> { ["value"] = step });
            Assert.True((await run.FinishAsync()).Complete);
            runIds.Add(run.Id);
        }

        foreach (var runId in runIds)
        {
            await stack.WaitForJsonAsync($"/api/v1/projects/{project}/runs/{runId}", r => r?["state"]?.GetValue<string>() == "finished", $"run {runId}");
            Assert.Equal(500, (await stack.GetJsonAsync($"/api/v1/projects/{project}/runs/{runId}/history"))!.AsArray().Count);
        }
        // Each partition's queue has exactly its one consumer, and the runs spread over both.
        var partitions = runIds.Select(id => Contracts.Bus.RunFrameQueue.PartitionOf(stack.Entity, project, id, 2)).ToHashSet();
        Assert.Equal(2, partitions.Count);
        var factory = new RabbitMQ.Client.ConnectionFactory { Uri = new Uri(StackFixture.RabbitMq) };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        foreach (var partition in new[] { 0, 1 })
            Assert.Equal(1u, (await channel.QueueDeclarePassiveAsync($"{queue}-{partition}")).ConsumerCount);
        await Assert.ThrowsAnyAsync<Exception>(() => channel.QueueDeclarePassiveAsync(queue));
    }

    /// <summary>
    /// Failed before: whichever process took the rebuild lock ran Marten's rebuild and started the shard again, beside
    /// the shard the other process ran. The two fought over the projection's progress and the owner's shard stopped,
    /// so once the other process went away nothing logged reached the projects page. Several rounds, as which process
    /// took the rebuild lock was chance.
    /// </summary>
    [Fact]
    public async Task A_daemon_rebuild_with_two_projections_processes_leaves_one_shard_running()
    {
        await stack.StartSecondProjectionsAsync();
        var project = StackFixture.NewProject("two-rebuilds");
        for (var round = 1; round <= 4; round++)
        {
            await RebuildTests.RebuildAsync(stack, "project-overview");
            await using (var run = await Experiment.InitAsync(stack.Settings(project)))
                Assert.True((await run.FinishAsync()).Complete);
            await stack.WaitForJsonAsync($"/api/v1/projects/{project}", p => p?["runCount"]?.GetValue<int>() == round,
                $"the run logged after rebuild {round} counted");
        }

        await stack.StopAsync("projections-2");
        await using (var last = await Experiment.InitAsync(stack.Settings(project)))
            Assert.True((await last.FinishAsync()).Complete);
        await stack.WaitForJsonAsync($"/api/v1/projects/{project}", p => p?["runCount"]?.GetValue<int>() == 5,
            "a run logged with one process left counted");
    }
}
