using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Runstream.Client;

namespace Runstream.IntegrationTests;

/// <summary>
/// What one entity's queries may cost: every statement is cancelled by PostgreSQL after
/// Query:StatementTimeout (5 s), answered 503 rather than 500; and an entity's requests in progress
/// are limited, the rest answered 429 with Retry-After, so one team's heavy filters leave the others
/// their connections.
/// </summary>
[Collection(StackCollection.Name)]
public sealed class QueryLimitsTests(StackFixture stack)
{
    /// <summary>
    /// A back-reference PostgreSQL's engine must search exhaustively: over 2,001 characters it takes
    /// about ten seconds on these machines.
    /// </summary>
    private const string SlowRegex = @"^(a*)(a*)\2\1b$";

    private async Task<string> SlowProjectAsync()
    {
        var project = StackFixture.NewProject("slow");
        await using (var run = await Experiment.InitAsync(stack.Settings(project) with { Notes = new string('a', 2001) + "b" }))
            run.Log(new Dictionary<string, double> { ["loss"] = 1 });
        await stack.WaitForJsonAsync($"/api/v1/projects/{project}/runs", page => page?["total"]?.GetValue<long>() == 1, "the run");
        return project;
    }

    private static string SlowFilter(string project) =>
        $"/api/v1/projects/{project}/runs?filters={Uri.EscapeDataString(new JsonObject { ["notes"] = new JsonObject { ["$regex"] = SlowRegex } }.ToJsonString())}";

    /// <summary>Failed before: a timeout while counting the runs was a 500.</summary>
    [Fact]
    public async Task A_query_over_the_statement_timeout_is_a_503_that_names_the_limit()
    {
        var project = await SlowProjectAsync();
        using var response = await stack.Query.GetAsync(SlowFilter(project));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.NotNull(response.Headers.RetryAfter);
        var problem = await response.Content.ReadFromJsonAsync<JsonNode>();
        Assert.Contains("Query:StatementTimeout", problem!["detail"]!.GetValue<string>());
    }

    /// <summary>Failed before: every request ran, each holding a pooled connection for seconds.</summary>
    [Fact]
    public async Task An_entitys_requests_beyond_its_concurrency_get_429_and_other_entities_are_served()
    {
        var project = await SlowProjectAsync();
        var heavy = Enumerable.Range(0, 20).Select(async _ =>
        {
            using var response = await stack.Query.GetAsync(SlowFilter(project));
            return (response.StatusCode, response.Headers.RetryAfter);
        }).ToList();

        // Meanwhile another entity is served as usual.
        using var other = stack.QueryAs(await stack.CreateApiKeyAsync($"team-q-{Guid.NewGuid():N}"[..20]));
        using (var response = await other.GetAsync("/api/v1/projects"))
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var answers = await Task.WhenAll(heavy);
        Assert.All(answers, a => Assert.True(a.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable, a.StatusCode.ToString()));
        // 8 in progress and 8 waiting (the defaults); the other 4 are turned away at once.
        Assert.True(answers.Count(a => a.StatusCode == HttpStatusCode.TooManyRequests) >= 4, string.Join(", ", answers.Select(a => a.StatusCode)));
        Assert.All(answers.Where(a => a.StatusCode == HttpStatusCode.TooManyRequests), a => Assert.NotNull(a.RetryAfter));
    }
}
