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
    private readonly TrainingJobs _jobs = new(stack);

    [Fact]
    public async Task Nothing_is_lost_or_duplicated_through_crashes_and_outages()
    {
        var project = StackFixture.NewProject("chaos");
        using var stopLogging = new CancellationTokenSource();
        var jobs = Enumerable.Range(0, Jobs).Select(i => _jobs.Train(project, i, stopLogging.Token)).ToArray();
        var started = await Task.WhenAll(jobs.Select(j => j.Started));

        await _jobs.WaitForProgressAsync(project, started, "the jobs to get going");
        await stack.KillAndRestartAsync("ingest");
        await _jobs.WaitForProgressAsync(project, started, "progress after Ingest was killed");
        await stack.KillAndRestartAsync("projections");
        await _jobs.WaitForProgressAsync(project, started, "progress after Projections was killed");
        await StackFixture.RestartServerAsync("rabbitmq");
        await _jobs.WaitForProgressAsync(project, started, "progress after RabbitMQ restarted");
        await StackFixture.RestartServerAsync("postgres");
        await _jobs.WaitForProgressAsync(project, started, "progress after PostgreSQL restarted");

        await stopLogging.CancelAsync();
        await _jobs.AssertEveryPointLandedOnceAsync(project, await Task.WhenAll(jobs.Select(j => j.Done)));
    }

    /// <summary>
    /// Failed before: after the retries ran out (about two minutes) MassTransit moved the acknowledged
    /// frames to the _error queue, every later frame of those runs parked for good, and the crash
    /// detector marked every run crashed once the database was back. An out-of-order client runs alongside.
    /// </summary>
    [Fact]
    public async Task Nothing_is_lost_or_duplicated_through_a_four_minute_database_outage()
    {
        var project = StackFixture.NewProject("outage");
        using var stopLogging = new CancellationTokenSource();
        var jobs = Enumerable.Range(0, Jobs).Select(i => _jobs.Train(project, i, stopLogging.Token, every: TimeSpan.FromMilliseconds(20))).ToArray();
        var started = await Task.WhenAll(jobs.Select(j => j.Started));
        await _jobs.WaitForProgressAsync(project, started, "the jobs to get going");

        // A client of its own sends a run's frames shuffled, a stream each, part before the outage and part during it.
        using var raw = new RawIngestClient(stack.IngestUrl, stack.ApiKey);
        var shuffledRun = new Contracts.V1.RunRef { Project = project, RunId = "shuffled" };
        const int ShuffledSteps = 200;
        var shuffled = new List<Contracts.V1.RunFrame> { RawIngestClient.Started(shuffledRun, 1) };
        shuffled.AddRange(Enumerable.Range(0, ShuffledSteps).Select(step => RawIngestClient.Metrics(shuffledRun, step + 2, step, ("value", step))));
        shuffled.Add(RawIngestClient.Finished(shuffledRun, ShuffledSteps + 2));
        var order = shuffled.OrderBy(_ => Random.Shared.Next()).ToArray();
        await SendAllAckedAsync(raw, order[..(order.Length / 2)]);

        await StackFixture.StopServerAsync("postgres");
        try
        {
            await SendAllAckedAsync(raw, order[(order.Length / 2)..]);
            await Task.Delay(Outage);
        }
        finally
        {
            await StackFixture.StartServerAsync("postgres");
        }
        await _jobs.WaitForProgressAsync(project, started, "progress after the outage");
        await stopLogging.CancelAsync();
        await _jobs.AssertEveryPointLandedOnceAsync(project, await Task.WhenAll(jobs.Select(j => j.Done)));

        var run = await stack.WaitForJsonAsync($"/api/v1/projects/{project}/runs/shuffled", r => r?["state"]?.GetValue<string>() == "finished", "the shuffled run to finish");
        Assert.Equal(ShuffledSteps + 2, run!["lastSequence"]!.GetValue<long>());
        var history = (await stack.GetJsonAsync($"/api/v1/projects/{project}/runs/shuffled/history"))!.AsArray();
        Assert.Equal(Enumerable.Range(0, ShuffledSteps).Select(step => (double)step), history.Select(row => row!["value"]!.GetValue<double>()));

        Assert.Equal(0u, await PoisonFrameTests.MessagesInAsync($"{stack.FramesQueue}_error"));
        Assert.Equal(0u, await PoisonFrameTests.MessagesInAsync($"{stack.HeartbeatQueue}_error"));
        Assert.Equal(0, await CountEventsAsync(project, "run_crashed"));
    }

    private static readonly TimeSpan Outage = TimeSpan.FromMinutes(4);

    private static async Task SendAllAckedAsync(RawIngestClient raw, Contracts.V1.RunFrame[] frames)
    {
        var replies = await raw.SendAsync(frames);
        Assert.All(replies, reply => Assert.Null(reply.Error));
        Assert.Equal(frames.Select(f => f.Sequence), replies.Select(reply => reply.Ack.Sequence));
    }

    private async Task<long> CountEventsAsync(string project, string type)
    {
        await using var connection = await stack.OpenDatabaseAsync();
        await using var command = new NpgsqlCommand("select count(*) from runstream.mt_events where stream_id like $1 and type = $2", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = $"{stack.Entity}/{project}/%" });
        command.Parameters.Add(new NpgsqlParameter { Value = type });
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
