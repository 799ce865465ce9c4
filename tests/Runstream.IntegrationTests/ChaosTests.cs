using Npgsql;
using Runstream.Client;

namespace Runstream.IntegrationTests;

/// <summary>
/// While eight training jobs stream metrics through the SDK, every moving part fails in turn:
/// Ingest and Projections are killed with SIGKILL and restarted, RabbitMQ and PostgreSQL are
/// restarted. Afterwards every point each job logged is in the read model exactly once.
/// </summary>
[Collection(StackCollection.Name)]
public sealed class ChaosTests(StackFixture stack)
{
    private const int Jobs = 8;

    [Fact]
    public async Task Nothing_is_lost_or_duplicated_through_crashes_and_outages()
    {
        var project = StackFixture.NewProject("chaos");
        using var stopLogging = new CancellationTokenSource();
        var jobs = Enumerable.Range(0, Jobs).Select(i => TrainAsync(project, i, stopLogging.Token)).ToArray();
        var started = await Task.WhenAll(jobs.Select(j => j.Started));

        await WaitForProgressAsync(project, started, "the jobs to get going");
        await stack.KillAndRestartAsync("ingest");
        await WaitForProgressAsync(project, started, "progress after Ingest was killed");
        await stack.KillAndRestartAsync("projections");
        await WaitForProgressAsync(project, started, "progress after Projections was killed");
        await StackFixture.RestartServerAsync("rabbitmq");
        await WaitForProgressAsync(project, started, "progress after RabbitMQ restarted");
        await StackFixture.RestartServerAsync("postgres");
        await WaitForProgressAsync(project, started, "progress after PostgreSQL restarted");

        await stopLogging.CancelAsync();
        var logged = await Task.WhenAll(jobs.Select(j => j.Done));

        foreach (var job in logged)
        {
            Assert.True(job.Finish.Complete, $"run {job.RunId}: {job.Finish.Unacknowledged} frame(s) unacknowledged after finishing");
            var details = await Poll.UntilAsync(() => stack.TryGetJsonAsync($"/api/v1/projects/{project}/runs/{job.RunId}"),
                r => r?["state"]?.GetValue<string>() == "finished", $"run {job.RunId} to be finished", TimeSpan.FromSeconds(120));

            var history = (await stack.GetJsonAsync($"/api/v1/projects/{project}/runs/{job.RunId}/history"))!.AsArray();
            Assert.Equal(job.Steps, history.Count);
            Assert.Equal(job.Checksum, history.Sum(row => row!["value"]!.GetValue<double>()), precision: 6);
            Assert.Equal(Enumerable.Range(0, job.Steps).Select(s => (long)s), history.Select(row => row!["_step"]!.GetValue<long>()));

            // Exactly once at the level of events: each sequence number recorded once, none missing.
            var (frames, distinct) = await CountFrameEventsAsync(details!["id"]!.GetValue<string>());
            Assert.Equal(distinct, frames);
            Assert.Equal(details["lastSequence"]!.GetValue<long>(), frames);
        }
    }

    private sealed record Job(Task<string> Started, Task<Logged> Done);

    private sealed record Logged(string RunId, int Steps, double Checksum, FinishResult Finish);

    private Job TrainAsync(string project, int index, CancellationToken stop)
    {
        var started = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var done = Task.Run(async () =>
        {
            await using var run = await Experiment.InitAsync(stack.Settings(project) with
            {
                Config = new { job = index },
                FinishTimeout = TimeSpan.FromSeconds(120),
                Warn = _ => { },
            });
            started.SetResult(run.Id);
            var steps = 0;
            var checksum = 0.0;
            while (!stop.IsCancellationRequested)
            {
                var value = index * 1000.0 + steps % 997 + 0.5;
                run.Log(new Dictionary<string, double> { ["value"] = value, ["step_squared"] = (double)steps * steps });
                checksum += value;
                steps++;
                await Task.Delay(4, CancellationToken.None);
            }
            var finish = await run.FinishAsync();
            return new Logged(run.Id, steps, checksum, finish);
        });
        return new Job(started.Task, done);
    }

    /// <summary>Waits until every run has had more frames applied than when called.</summary>
    private async Task WaitForProgressAsync(string project, string[] runIds, string what)
    {
        var before = await AppliedSequencesAsync(project, runIds);
        await Poll.UntilAsync(() => AppliedSequencesAsync(project, runIds),
            now => now.Zip(before).All(pair => pair.First > pair.Second), what, TimeSpan.FromSeconds(120));
    }

    private async Task<long[]> AppliedSequencesAsync(string project, string[] runIds)
    {
        var sequences = new long[runIds.Length];
        for (var i = 0; i < runIds.Length; i++)
            sequences[i] = (await stack.TryGetJsonAsync($"/api/v1/projects/{project}/runs/{runIds[i]}"))?["lastSequence"]?.GetValue<long>() ?? -1;
        return sequences;
    }

    private async Task<(long Frames, long Distinct)> CountFrameEventsAsync(string streamKey)
    {
        await using var connection = await stack.OpenDatabaseAsync();
        await using var command = new NpgsqlCommand("""
            select count(*), count(distinct data ->> 'sequence')
            from runstream.mt_events where stream_id = $1 and data ? 'sequence'
            """, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = streamKey });
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt64(0), reader.GetInt64(1));
    }
}
