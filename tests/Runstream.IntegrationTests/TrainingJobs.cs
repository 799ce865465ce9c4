using Npgsql;
using Runstream.Client;

namespace Runstream.IntegrationTests;

/// <summary>
/// The chaos tests' workload: training jobs that log a value (with a known sum) every few milliseconds
/// through the SDK until told to stop, and the checks that every point they logged landed exactly once.
/// </summary>
public sealed class TrainingJobs(IRunstreamStack stack)
{
    public sealed record Job(Task<string> Started, Task<Logged> Done);

    public sealed record Logged(string RunId, int Steps, double Checksum, FinishResult Finish);

    /// <summary>Starts job <paramref name="index"/> of <paramref name="project"/>; it logs until <paramref name="stop"/>, then finishes.</summary>
    public Job Train(string project, int index, CancellationToken stop, TimeSpan? every = null, Func<RunSettings, RunSettings>? settings = null)
    {
        var started = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var done = Task.Run(async () =>
        {
            var runSettings = stack.Settings(project) with
            {
                Config = new { job = index },
                FinishTimeout = TimeSpan.FromSeconds(180),
                Warn = _ => { },
            };
            await using var run = await Experiment.InitAsync(settings?.Invoke(runSettings) ?? runSettings);
            started.SetResult(run.Id);
            var steps = 0;
            var checksum = 0.0;
            while (!stop.IsCancellationRequested)
            {
                var value = index * 1000.0 + steps % 997 + 0.5;
                run.Log(new Dictionary<string, double> { ["value"] = value, ["step_squared"] = (double)steps * steps });
                checksum += value;
                steps++;
                await Task.Delay(every ?? TimeSpan.FromMilliseconds(4), CancellationToken.None);
            }
            var finish = await run.FinishAsync();
            return new Logged(run.Id, steps, checksum, finish);
        });
        return new Job(started.Task, done);
    }

    /// <summary>Waits until every run has had more frames applied than when called.</summary>
    public async Task WaitForProgressAsync(string project, string[] runIds, string what)
    {
        var before = await AppliedSequencesAsync(project, runIds);
        await Poll.UntilAsync(() => AppliedSequencesAsync(project, runIds),
            now => now.Zip(before).All(pair => pair.First > pair.Second), what, TimeSpan.FromSeconds(120));
    }

    /// <summary>
    /// Each job's run is finished with every step it logged in its history once, in order, with the sum it
    /// logged, counted both through the Query API and in SQL; and each frame sequence is one event.
    /// </summary>
    public async Task AssertEveryPointLandedOnceAsync(string project, Logged[] logged)
    {
        foreach (var job in logged)
        {
            Assert.True(job.Finish.Complete, $"run {job.RunId}: {job.Finish.Unacknowledged} frame(s) unacknowledged after finishing");
            var details = await Poll.UntilAsync(() => stack.TryGetJsonAsync($"/api/v1/projects/{project}/runs/{job.RunId}"),
                r => r?["state"]?.GetValue<string>() == "finished", $"run {job.RunId} to be finished", TimeSpan.FromSeconds(180));

            var history = (await stack.GetJsonAsync($"/api/v1/projects/{project}/runs/{job.RunId}/history"))!.AsArray();
            Assert.Equal(job.Steps, history.Count);
            Assert.Equal(job.Checksum, history.Sum(row => row!["value"]!.GetValue<double>()), precision: 6);
            Assert.Equal(Enumerable.Range(0, job.Steps).Select(s => (long)s), history.Select(row => row!["_step"]!.GetValue<long>()));

            var streamKey = details!["id"]!.GetValue<string>();
            var (points, sum) = await StoredPointsAsync(streamKey, "value");
            Assert.Equal(job.Steps, points);
            Assert.Equal(job.Checksum, sum, precision: 6);

            // Exactly once at the level of events: each sequence number recorded once, none missing.
            var (frames, distinct) = await CountFrameEventsAsync(streamKey);
            Assert.Equal(distinct, frames);
            Assert.Equal(details["lastSequence"]!.GetValue<long>(), frames);
        }
    }

    /// <summary>Points of one metric of a run and their sum, as stored in the history table.</summary>
    public async Task<(long Points, double Sum)> StoredPointsAsync(string streamKey, string metric)
    {
        await using var connection = await stack.OpenDatabaseAsync();
        await using var command = new NpgsqlCommand("""
            select count(*), coalesce(sum(v), 0)
            from runstream.metric_chunks h cross join lateral unnest(h.values) v
            where h.run_key = $1 and h.key = $2
            """, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = streamKey });
        command.Parameters.Add(new NpgsqlParameter { Value = metric });
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt64(0), reader.GetDouble(1));
    }

    private async Task<long[]> AppliedSequencesAsync(string project, string[] runIds)
    {
        var sequences = new long[runIds.Length];
        for (var i = 0; i < runIds.Length; i++)
            sequences[i] = (await stack.TryGetJsonAsync($"/api/v1/projects/{project}/runs/{runIds[i]}"))?["lastSequence"]?.GetValue<long>() ?? -1;
        return sequences;
    }

    /// <summary>A run's frame events and how many distinct sequence numbers they carry (equal when none was recorded twice).</summary>
    public async Task<(long Frames, long Distinct)> CountFrameEventsAsync(string streamKey)
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
