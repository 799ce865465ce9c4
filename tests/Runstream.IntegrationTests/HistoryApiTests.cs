using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Runstream.Client;

namespace Runstream.IntegrationTests;

/// <summary>Sampled history, exports, several runs at once and grouped lines, on runs logged through the SDK.</summary>
[Collection(StackCollection.Name)]
public sealed class HistoryApiTests(StackFixture stack)
{
    private async Task<string> LogAsync(string project, object config, int steps, Func<int, Dictionary<string, double>> row)
    {
        await using var run = await Experiment.InitAsync(stack.Settings(project) with { Config = config });
        for (var step = 0; step < steps; step++)
            run.Log(row(step), step: step);
        await run.FinishAsync();
        await stack.WaitForJsonAsync($"/api/v1/projects/{project}/runs/{run.Id}", r => r?["state"]?.GetValue<string>() == "finished", "the run to finish");
        return run.Id;
    }

    [Fact]
    public async Task Sampling_keeps_min_max_and_last_per_bucket_so_a_spike_survives()
    {
        var project = StackFixture.NewProject("sampling");
        var runId = await LogAsync(project, new { }, 5000, step => new()
        {
            ["loss"] = step == 2345 ? 99.0 : 1.0 / (step + 1),
            ["lr"] = step * 2.0,
        });

        var sampled = await stack.GetJsonAsync($"/api/v1/projects/{project}/runs/{runId}/history?keys=loss&samples=100");
        var loss = sampled!["series"]!["loss"]!;
        Assert.Equal("_step", sampled["x"]!.GetValue<string>());
        Assert.Equal(5000, loss["count"]!.GetValue<int>());
        var x = loss["x"]!.AsArray().Select(v => v!.GetValue<double>()).ToArray();
        Assert.InRange(x.Length, 90, 100);
        Assert.Equal(x.Order(), x);
        Assert.Equal(4999, x[^1]);
        Assert.Contains(99.0, loss["max"]!.AsArray().Select(v => v!.GetValue<double>()));
        Assert.Equal(1.0 / 5000, loss["last"]!.AsArray()[^1]!.GetValue<double>());
        Assert.Equal(1.0, loss["max"]![0]!.GetValue<double>());
        Assert.Null(sampled["series"]!["lr"]);

        // Fewer points than buckets: every point is its own bucket.
        var fine = await stack.GetJsonAsync($"/api/v1/projects/{project}/runs/{runId}/history?keys=loss&samples=10000");
        Assert.Equal(5000, fine!["series"]!["loss"]!["x"]!.AsArray().Count);

        // Another key as the x axis: lr = 2 * step.
        var byLr = await stack.GetJsonAsync($"/api/v1/projects/{project}/runs/{runId}/history?keys=loss&samples=50&x=lr");
        Assert.Equal(9998, byLr!["series"]!["loss"]!["x"]!.AsArray()[^1]!.GetValue<double>());

        var byTime = await stack.GetJsonAsync($"/api/v1/projects/{project}/runs/{runId}/history?keys=loss&samples=50&x=_timestamp");
        Assert.InRange(byTime!["series"]!["loss"]!["x"]![0]!.GetValue<double>(), DateTimeOffset.UtcNow.AddMinutes(-5).ToUnixTimeSeconds(), DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 1);

        using var bad = await stack.Query.GetAsync($"/api/v1/projects/{project}/runs/{runId}/history?samples=0");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("samples", await bad.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Exports_stream_every_step_as_json_lines_or_csv_with_nan_kept()
    {
        var project = StackFixture.NewProject("export");
        var runId = await LogAsync(project, new { }, 3000, step => step % 2 == 0
            ? new() { ["loss"] = step == 10 ? double.NaN : step, ["acc"] = -step }
            : new() { ["loss"] = step });

        var jsonl = await stack.Query.GetStringAsync($"/api/v1/projects/{project}/runs/{runId}/history/export?format=jsonl");
        var lines = jsonl.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3000, lines.Length);
        var tenth = JsonNode.Parse(lines[10])!;
        Assert.Equal("NaN", tenth["loss"]!.GetValue<string>());
        Assert.Equal(-10, tenth["acc"]!.GetValue<double>());
        Assert.Null(JsonNode.Parse(lines[11])!["acc"]);

        var csv = (await stack.Query.GetStringAsync($"/api/v1/projects/{project}/runs/{runId}/history/export?format=csv&keys=acc,loss")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("_step,_timestamp,acc,loss", csv[0]);
        Assert.Equal(3001, csv.Length);
        Assert.EndsWith(",-10,NaN", csv[11]);
        Assert.EndsWith(",,11", csv[12]);

        using var bad = await stack.Query.GetAsync($"/api/v1/projects/{project}/runs/{runId}/history/export?format=xml");
        Assert.Contains("'xml' is not a format", await bad.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task History_of_several_runs_and_grouped_lines_come_in_one_call()
    {
        var project = StackFixture.NewProject("grouped");
        var adam = new List<string>();
        foreach (var offset in new[] { 1.0, 3.0 })
            adam.Add(await LogAsync(project, new { optimizer = "adam" }, 100, step => new() { ["loss"] = offset + step }));
        var sgd = await LogAsync(project, new { optimizer = "sgd" }, 100, step => new() { ["loss"] = 10.0 });

        var several = await stack.GetJsonAsync($"/api/v1/projects/{project}/history?runs={string.Join(',', adam.Append(sgd))}&keys=loss&samples=10");
        Assert.Equal(3, several!["runs"]!.AsObject().Count);
        Assert.Equal(10.0, several["runs"]![sgd]!["loss"]!["last"]!.AsArray()[^1]!.GetValue<double>());

        var grouped = await stack.GetJsonAsync($"/api/v1/projects/{project}/history/grouped?key=loss&groupBy=config.optimizer&samples=10");
        var groups = grouped!["groups"]!.AsArray();
        Assert.Equal(["adam", "sgd"], groups.Select(g => g!["value"]!.GetValue<string>()));
        var adamGroup = groups[0]!;
        Assert.Equal(2, adamGroup["runs"]!.GetValue<int>());
        // Last bucket: step 99 of both runs, 100 and 102.
        Assert.Equal(101.0, adamGroup["mean"]!.AsArray()[^1]!.GetValue<double>());
        Assert.Equal(100.0, adamGroup["min"]!.AsArray()[^1]!.GetValue<double>());
        Assert.Equal(102.0, adamGroup["max"]!.AsArray()[^1]!.GetValue<double>());

        using var tooMany = await stack.Query.GetAsync($"/api/v1/projects/{project}/history?runs={string.Join(',', Enumerable.Range(0, 101))}&keys=loss");
        Assert.Contains("the limit is 100", await tooMany.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Rows_stop_at_the_configured_number_of_points_and_say_what_to_do_instead()
    {
        var query = await stack.StartAnotherAsync("query-small-rows", "query", "http", new Dictionary<string, string> { ["Query__MaxHistoryRowPoints"] = "1000" });
        using var client = new HttpClient { BaseAddress = new Uri(query), DefaultRequestHeaders = { Authorization = new("Bearer", stack.ApiKey) } };
        var project = StackFixture.NewProject("rows");
        var runId = await LogAsync(project, new { }, 600, step => new() { ["a"] = step, ["b"] = step });

        using var refused = await client.GetAsync($"/api/v1/projects/{project}/runs/{runId}/history");
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("the history holds 1,200 points; rows are served up to 1,000", await refused.Content.ReadAsStringAsync());
        // One key is within the limit; samples and the export have none.
        Assert.Equal(600, (await client.GetFromJsonAsync<JsonArray>($"/api/v1/projects/{project}/runs/{runId}/history?keys=a"))!.Count);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/api/v1/projects/{project}/runs/{runId}/history?samples=100")).StatusCode);
    }
}
