using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Npgsql;
using Runstream.Client;

namespace Runstream.IntegrationTests;

/// <summary>Rebuilding read models from the event store through the admin API and the CLI, while a job keeps logging.</summary>
[Collection(StackCollection.Name)]
public sealed class RebuildTests(StackFixture stack)
{
    private const int Steps = 1500;

    [Fact]
    public async Task Dropped_history_and_details_come_back_exactly_as_logged_while_a_job_keeps_logging()
    {
        var project = StackFixture.NewProject("rebuild");
        var runs = new List<string>();
        for (var r = 0; r < 3; r++)
        {
            await using var run = await Experiment.InitAsync(stack.Settings(project) with { Config = new Dictionary<string, object?> { ["seed"] = r } });
            for (var step = 0; step < Steps; step++)
                run.Log(Row(r, step), step: step);
            Assert.True((await run.FinishAsync()).Complete);
            runs.Add(run.Id);
        }
        var before = new Dictionary<string, (JsonNode Details, string History)>();
        foreach (var runId in runs)
        {
            await stack.WaitForJsonAsync(RunPath(project, runId), d => d?["state"]?.GetValue<string>() == "finished", "the run finished");
            var history = await Poll.UntilAsync(() => ExportAsync(project, runId), h => h.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length == Steps, "the run's history");
            before[runId] = ((await stack.GetJsonAsync(RunPath(project, runId)))!, history);
        }

        // The damage: every run's metric chunks gone, one run's details gone; the API shows it.
        await using (var database = await stack.OpenDatabaseAsync())
        {
            await ExecuteAsync(database, "delete from runstream.metric_chunks where run_key like $1", $"{stack.Entity}/{project}/%");
            await ExecuteAsync(database, "delete from runstream.mt_doc_rundetails where id = $1", $"{stack.Entity}/{project}/{runs[0]}");
        }
        Assert.Empty((await ExportAsync(project, runs[1])).Split('\n', StringSplitOptions.RemoveEmptyEntries));
        using (var gone = await stack.Query.GetAsync(RunPath(project, runs[0])))
            Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);

        // A job logs before, during and after the rebuild of the history.
        var logged = 0;
        var stopAt = int.MaxValue;
        string? onlineId = null;
        var job = Task.Run(async () =>
        {
            await using var run = await Experiment.InitAsync(stack.Settings(project) with { FlushInterval = TimeSpan.FromMilliseconds(50) });
            onlineId = run.Id;
            while (logged < Volatile.Read(ref stopAt))
            {
                run.Log(new Dictionary<string, double> { ["online"] = logged }, step: logged);
                logged++;
                await Task.Delay(2);
            }
            Assert.True((await run.FinishAsync()).Complete);
        });
        await Poll.UntilAsync(() => Task.FromResult(Volatile.Read(ref logged)), n => n >= 100, "the online job logging");

        using (var notAdmin = await stack.Query.PostAsJsonAsync("/admin/v1/rebuilds", new { readModel = "metric-history" }))
            Assert.Equal(HttpStatusCode.Unauthorized, notAdmin.StatusCode);
        using (var unknown = await stack.Admin.PostAsJsonAsync("/admin/v1/rebuilds", new { readModel = "nothing" }))
            Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        using var started = await stack.Admin.PostAsJsonAsync("/admin/v1/rebuilds", new { readModel = "metric-history" });
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        var id = (await started.Content.ReadFromJsonAsync<JsonNode>())!["id"]!.GetValue<string>();
        var done = await Poll.UntilAsync(async () => (await QueryJson.GetAsync(stack.Admin, $"/admin/v1/rebuilds/{id}"))!,
            p => p["state"]!.GetValue<string>() is "succeeded" or "failed", "the history rebuilt", TimeSpan.FromMinutes(2));
        Assert.Equal("succeeded", done["state"]!.GetValue<string>());
        Assert.True(done["eventsDone"]!.GetValue<long>() >= 3 * Steps / 1000, done.ToJsonString());
        Assert.True(done["pointsDone"]!.GetValue<long>() >= 3 * Steps * 2, done.ToJsonString());
        Assert.True(done["pointsPerSecond"]!.GetValue<double>() > 0, done.ToJsonString());
        var loggedDuring = Volatile.Read(ref logged);
        // It logs on after the rebuild: those points land on the rebuilt history.
        Volatile.Write(ref stopAt, loggedDuring + 100);
        await job;
        Assert.True(logged > loggedDuring, "the job logged on after the rebuild");

        // The details through the CLI.
        var cli = await StackFixture.RunCliAsync(["admin", "rebuild", "run-details", "--url", stack.Query.BaseAddress!.ToString()],
            new Dictionary<string, string> { ["RUNSTREAM_ADMIN_KEY"] = stack.AdminKey });
        Assert.True(cli.ExitCode == 0, cli.Output);
        Assert.Contains("succeeded:", cli.Output);
        Assert.Contains("events/s", cli.Output);

        for (var r = 0; r < runs.Count; r++)
        {
            var history = await ExportAsync(project, runs[r]);
            Assert.Equal(before[runs[r]].History, history);
            var rows = history.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonNode.Parse(line)!).ToList();
            Assert.Equal(Steps, rows.Count);
            foreach (var row in rows)
            {
                var step = row["_step"]!.GetValue<int>();
                Assert.Equal(Row(r, step)["loss"], row["loss"]!.GetValue<double>());
                Assert.Equal(Row(r, step)["acc"], row["acc"]!.GetValue<double>());
            }
            var details = (await stack.GetJsonAsync(RunPath(project, runs[r])))!;
            // Built live, a time the server stamped keeps .NET's 100-ns ticks; PostgreSQL stores microseconds, which a rebuild reads.
            var (liveUpdated, rebuiltUpdated) = (before[runs[r]].Details["updatedAt"]!.GetValue<DateTimeOffset>(), details["updatedAt"]!.GetValue<DateTimeOffset>());
            Assert.True((liveUpdated - rebuiltUpdated).Duration() < TimeSpan.FromMicroseconds(1), $"{liveUpdated:O} {rebuiltUpdated:O}");
            before[runs[r]].Details["updatedAt"] = details["updatedAt"]!.DeepClone();
            Assert.True(JsonNode.DeepEquals(before[runs[r]].Details, details), $"{before[runs[r]].Details.ToJsonString()}\n{details.ToJsonString()}");
        }
        var online = await Poll.UntilAsync(() => ExportAsync(project, onlineId!), h => h.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length == logged, $"all {logged} points of the online job");
        Assert.Equal(Enumerable.Range(0, logged).Select(i => (double)i),
            online.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonNode.Parse(line)!["online"]!.GetValue<double>()));
    }

    [Fact]
    public async Task An_async_projection_is_rebuilt_by_the_daemon()
    {
        var project = StackFixture.NewProject("rebuild-overview");
        await using (var run = await Experiment.InitAsync(stack.Settings(project)))
        {
            run.Log(new Dictionary<string, double> { ["loss"] = 1 });
            Assert.True((await run.FinishAsync()).Complete);
        }
        await stack.WaitForJsonAsync($"/api/v1/projects/{project}", p => p?["runCount"]?.GetValue<int>() == 1, "the run counted");
        await RebuildAsync(stack, "project-overview");
        await stack.WaitForJsonAsync($"/api/v1/projects/{project}", p => p?["runCount"]?.GetValue<int>() == 1, "the run counted again");

        // And it goes on: the rebuild stopped the projection's shard, which must run again for what is logged after it.
        await using (var later = await Experiment.InitAsync(stack.Settings(project)))
            Assert.True((await later.FinishAsync()).Complete);
        await stack.WaitForJsonAsync($"/api/v1/projects/{project}", p => p?["runCount"]?.GetValue<int>() == 2, "a run started after the rebuild counted");
    }

    /// <summary>Asks for a rebuild of the read model and waits for it to succeed.</summary>
    internal static async Task RebuildAsync(StackFixture stack, string readModel)
    {
        using var started = await stack.Admin.PostAsJsonAsync("/admin/v1/rebuilds", new { readModel });
        var id = (await started.Content.ReadFromJsonAsync<JsonNode>())!["id"]!.GetValue<string>();
        var done = await Poll.UntilAsync(async () => (await QueryJson.GetAsync(stack.Admin, $"/admin/v1/rebuilds/{id}"))!,
            p => p["state"]!.GetValue<string>() is "succeeded" or "failed", $"{readModel} rebuilt", TimeSpan.FromMinutes(2));
        Assert.True(done["state"]!.GetValue<string>() == "succeeded", done.ToJsonString());
    }

    private static Dictionary<string, double> Row(int run, int step) => new() { ["loss"] = (run + 1.0) / (step + 1), ["acc"] = step * 0.001 + run };

    private static string RunPath(string project, string runId) => $"/api/v1/projects/{project}/runs/{runId}";

    private async Task<string> ExportAsync(string project, string runId) =>
        await stack.Query.GetStringAsync($"{RunPath(project, runId)}/history/export?format=jsonl");

    private static async Task ExecuteAsync(NpgsqlConnection database, string sql, string parameter)
    {
        await using var command = new NpgsqlCommand(sql, database) { Parameters = { new() { Value = parameter } } };
        await command.ExecuteNonQueryAsync();
    }
}
