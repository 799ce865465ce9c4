using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Runstream.Client;

namespace Runstream.IntegrationTests;

/// <summary>The runs table's filter language, sort and keyset pages, on runs made through the SDK.</summary>
[Collection(StackCollection.Name)]
public sealed class RunFilterTests(StackFixture stack) : IAsyncLifetime
{
    // One project of runs for every test here (made once; xunit makes a new instance per test).
    private static readonly SemaphoreSlim Once = new(1, 1);
    private static string? _shared;
    private string _project = "";

    /// <summary>Six runs with nested config, a key of mixed types, missing keys, a NaN summary and one group.</summary>
    public async Task InitializeAsync()
    {
        await Once.WaitAsync();
        try
        {
            _project = _shared ??= await MakeRunsAsync();
        }
        finally
        {
            Once.Release();
        }
    }

    private async Task<string> MakeRunsAsync()
    {
        var project = StackFixture.NewProject("filters");
        await LogAsync(project, "alpha", ["baseline"], new { lr = 0.001, optimizer = new { name = "adam", beta = 0.9 } }, accuracy: 0.70, group: "g1");
        await LogAsync(project, "beta", ["baseline", "sweep"], new { lr = 0.01, optimizer = new { name = "sgd" } }, accuracy: 0.80);
        await LogAsync(project, "gamma", ["sweep"], new { lr = 0.1, optimizer = new { name = "sgd" } }, accuracy: 0.90);
        await LogAsync(project, "delta", [], new { lr = "auto", optimizer = new { name = "adam" } }, accuracy: 0.60);
        await LogAsync(project, "epsilon", ["sweep"], new { optimizer = new { name = "adam" } }, accuracy: null);
        await LogAsync(project, "zeta", ["diverged"], new { lr = 1.0 }, accuracy: double.NaN);
        await WaitForFinishedAsync(project, 6);
        return project;
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private Task WaitForFinishedAsync(string project, int count) =>
        stack.WaitForJsonAsync($"/api/v1/projects/{project}/runs?filters={Uri.EscapeDataString("""{"state":"finished"}""")}",
            page => page?["total"]?.GetValue<long>() == count, $"the {count} runs to finish");

    private async Task LogAsync(string project, string name, string[] tags, object config, double? accuracy, string? group = null)
    {
        await using var run = await Experiment.InitAsync(stack.Settings(project) with { Name = name, Tags = tags, Config = config, Group = group, JobType = group is null ? null : "train" });
        if (accuracy is { } value)
            run.Log(new Dictionary<string, double> { ["accuracy"] = value });
        await run.FinishAsync();
    }

    [Theory]
    [InlineData("""{"config.lr":{"$lt":0.05}}""", "alpha,beta")]
    // Order comparisons hold between values of one type: "auto" is neither below nor above a number.
    [InlineData("""{"config.lr":{"$gte":0.1}}""", "gamma,zeta")]
    [InlineData("""{"config.lr":"auto"}""", "delta")]
    [InlineData("""{"config.optimizer.name":"adam"}""", "alpha,delta,epsilon")]
    [InlineData("""{"config.optimizer.beta":{"$exists":true}}""", "alpha")]
    [InlineData("""{"config.lr":{"$exists":false}}""", "epsilon")]
    // A run without the field matches $ne and $nin.
    [InlineData("""{"config.optimizer.name":{"$ne":"adam"}}""", "beta,gamma,zeta")]
    [InlineData("""{"config.optimizer.name":{"$nin":["adam","sgd"]}}""", "zeta")]
    [InlineData("""{"config.lr":{"$in":[0.01,0.1]}}""", "beta,gamma")]
    [InlineData("""{"tags":"sweep"}""", "beta,epsilon,gamma")]
    [InlineData("""{"tags":{"$in":["baseline","diverged"]}}""", "alpha,beta,zeta")]
    [InlineData("""{"tags":{"$nin":["sweep"]}}""", "alpha,delta,zeta")]
    [InlineData("""{"display_name":{"$regex":"^(al|be)"}}""", "alpha,beta")]
    [InlineData("""{"name":{"$regex":"ALPHA","$options":"i"}}""", "alpha")]
    [InlineData("""{"$or":[{"name":"alpha"},{"summary.accuracy":{"$gt":0.85}}]}""", "alpha,gamma")]
    [InlineData("""{"$nor":[{"tags":"sweep"},{"config.lr":"auto"}]}""", "alpha,zeta")]
    [InlineData("""{"$not":{"config.optimizer.name":"sgd"}}""", "alpha,delta,epsilon,zeta")]
    [InlineData("""{"config.lr":{"$not":{"$gt":0.005}}}""", "alpha,delta,epsilon")]
    // NaN is the string "NaN": it fails every numeric comparison and equals "NaN".
    [InlineData("""{"summary.accuracy":{"$gte":0}}""", "alpha,beta,delta,gamma")]
    [InlineData("""{"summary_metrics.accuracy":"NaN"}""", "zeta")]
    [InlineData("""{"$and":[{"state":"finished"},{"config.lr":{"$gt":0.005,"$lt":0.5}}]}""", "beta,gamma")]
    [InlineData("""{"summary.accuracy":null}""", "epsilon")]
    // A run without a group, job type or notes stores null for them: $exists false matches it (it matched none before).
    [InlineData("""{"group":{"$exists":false}}""", "beta,delta,epsilon,gamma,zeta")]
    [InlineData("""{"jobType":{"$exists":true}}""", "alpha")]
    [InlineData("""{"notes":{"$exists":false}}""", "alpha,beta,delta,epsilon,gamma,zeta")]
    // A summary value orders as a number: its NaN, stored as the string "NaN", is not above "A" (it was before).
    [InlineData("""{"$or":[{"summary.accuracy":{"$gt":"A"}},{"name":"alpha"}]}""", "alpha")]
    public async Task A_filter_selects_the_runs_it_describes(string filter, string expected)
    {
        var page = await stack.GetJsonAsync($"/api/v1/projects/{_project}/runs?filters={Uri.EscapeDataString(filter)}");
        var names = page!["runs"]!.AsArray().Select(r => r!["name"]!.GetValue<string>()).Order();
        Assert.Equal(expected, string.Join(',', names));
        Assert.Equal(expected.Split(',').Length, page["total"]!.GetValue<long>());
    }

    [Theory]
    [InlineData("""{"config.lr":{"$gtt":1}}""", "filters.config.lr.$gtt: unknown operator")]
    [InlineData("""{"$and":{"name":"x"}}""", "filters.$and: expects a list")]
    [InlineData("""{"$or":[{"name":"x"},{"colour":"red"}]}""", "filters.$or[1].colour: unknown field 'colour'")]
    [InlineData("""{"config.lr":{"$gt":[1]}}""", "filters.config.lr.$gt: compares with a number or a string")]
    [InlineData("""{"name":{"$regex":"("}}""", "filters.$regex")]
    [InlineData("""{"name":""", "filters: not valid JSON")]
    [InlineData("""{"$and":[{"$and":[{"$and":[{"$and":[{"$and":[{"$and":[{"$and":[{"$and":[{"name":"x"}]}]}]}]}]}]}]}]}""", "deeper than 8 levels")]
    public async Task A_bad_filter_gets_a_400_that_points_at_the_mistake(string filter, string expected)
    {
        using var response = await stack.Query.GetAsync($"/api/v1/projects/{_project}/runs?filters={Uri.EscapeDataString(filter)}");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(expected, (await response.Content.ReadFromJsonAsync<JsonNode>())!["detail"]!.GetValue<string>());
    }

    /// <summary>Failed before: past the parser's depth the error named its limit, 24, and no path.</summary>
    [Fact]
    public async Task A_filter_nested_far_too_deep_gets_the_limit_and_the_path()
    {
        var filter = string.Concat(Enumerable.Repeat("""{"$and":[""", 30)) + """{"name":"x"}""" + string.Concat(Enumerable.Repeat("]}", 30));
        using var response = await stack.Query.GetAsync($"/api/v1/projects/{_project}/runs?filters={Uri.EscapeDataString(filter)}");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var detail = (await response.Content.ReadFromJsonAsync<JsonNode>())!["detail"]!.GetValue<string>();
        Assert.StartsWith("filters" + string.Concat(Enumerable.Repeat(".$and[0]", 8)) + ":", detail);
        Assert.Contains("the limit is 8", detail);
    }

    [Fact]
    public async Task Runs_sort_by_a_summary_key_with_runs_lacking_it_last_in_either_direction()
    {
        async Task<string> Names(string order) => string.Join(',', (await stack.GetJsonAsync($"/api/v1/projects/{_project}/runs?order={order}"))!["runs"]!
            .AsArray().Select(r => r!["name"]!.GetValue<string>()));

        // jsonb orders numbers above strings: NaN (a string) sorts below every number, missing after all.
        Assert.Equal("gamma,beta,alpha,delta,zeta,epsilon", await Names("-summary.accuracy"));
        Assert.Equal("zeta,delta,alpha,beta,gamma,epsilon", await Names("summary.accuracy"));
        Assert.Equal("alpha,beta,delta,epsilon,gamma,zeta", await Names("name"));
    }

    [Fact]
    public async Task Keyset_pages_cover_every_run_once_and_stay_stable_while_runs_arrive()
    {
        var project = StackFixture.NewProject("pages");
        foreach (var lr in new[] { 0.5, 0.1, 0.4, 0.2, 0.3 })
            await LogAsync(project, $"lr-{lr}", [], new { lr }, accuracy: lr);
        await WaitForFinishedAsync(project, 5);

        var seen = new List<string>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await stack.GetJsonAsync($"/api/v1/projects/{project}/runs?order=config.lr&limit=2{(cursor is null ? "" : $"&cursor={cursor}")}");
            seen.AddRange(page!["runs"]!.AsArray().Select(r => r!["name"]!.GetValue<string>()));
            cursor = page["nextCursor"]?.GetValue<string>();
            if (pages++ == 0)
            {
                // A run that arrives after the first page sorts before the cursor: the later pages are unaffected.
                await LogAsync(project, "lr-0", [], new { lr = 0.0 }, accuracy: 0);
                await WaitForFinishedAsync(project, 6);
            }
        }
        while (cursor is not null);

        Assert.Equal(3, pages);
        Assert.Equal(["lr-0.1", "lr-0.2", "lr-0.3", "lr-0.4", "lr-0.5"], seen);

        using var bad = await stack.Query.GetAsync($"/api/v1/projects/{project}/runs?cursor=not-a-cursor");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        using var tooMany = await stack.Query.GetAsync($"/api/v1/projects/{project}/runs?limit=100000");
        Assert.Contains("the limit is 1 to 1000", await tooMany.Content.ReadAsStringAsync());
    }

    /// <summary>Sort keys compare as JSON numbers on every page, not as text ("10" sorts after "9").</summary>
    [Fact]
    public async Task Pages_sorted_by_a_number_follow_numeric_order_across_digit_counts()
    {
        var project = StackFixture.NewProject("numeric-pages");
        foreach (var layers in new[] { 100, 9, 2, 10 })
            await LogAsync(project, $"layers-{layers}", [], new { layers }, accuracy: 0.5);
        await WaitForFinishedAsync(project, 4);

        var seen = new List<string>();
        string? cursor = null;
        do
        {
            var page = await stack.GetJsonAsync($"/api/v1/projects/{project}/runs?order=config.layers&limit=2{(cursor is null ? "" : $"&cursor={cursor}")}");
            seen.AddRange(page!["runs"]!.AsArray().Select(r => r!["name"]!.GetValue<string>()));
            cursor = page["nextCursor"]?.GetValue<string>();
        }
        while (cursor is not null);
        Assert.Equal(["layers-2", "layers-9", "layers-10", "layers-100"], seen);
    }

    [Fact]
    public async Task Columns_keep_only_the_chosen_config_and_summary_keys()
    {
        var page = await stack.GetJsonAsync($"/api/v1/projects/{_project}/runs?filters={Uri.EscapeDataString("""{"name":"alpha"}""")}&columns=config.optimizer.name,summary.accuracy");
        var run = page!["runs"]![0]!;
        Assert.Equal("""{"optimizer":{"name":"adam"}}""", run["config"]!.ToJsonString());
        Assert.Equal("""{"accuracy":0.7}""", run["summary"]!.ToJsonString());
    }
}
