using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Grpc.Core;
using Grpc.Net.Client;
using Runstream.Client;
using Runstream.Contracts.V1;

namespace Runstream.IntegrationTests;

[Collection(StackCollection.Name)]
public sealed class SecurityTests(StackFixture stack)
{
    [Fact]
    public async Task Every_api_route_refuses_a_request_without_a_valid_key()
    {
        // The route table comes from the service's own OpenAPI document: a new route without the check fails here.
        using var anonymous = new HttpClient { BaseAddress = stack.Query.BaseAddress };
        var document = await anonymous.GetFromJsonAsync<JsonNode>("/openapi/v1.json");
        var routes = document!["paths"]!.AsObject().Select(path => path.Key).Where(path => path.StartsWith("/api/")).ToList();
        Assert.NotEmpty(routes);

        foreach (var route in routes)
        {
            var url = route.Replace("{project}", "p").Replace("{runId}", "r").Replace("{name}", "n").Replace("{version}", "v0").Replace("{path}", "f");
            using var missing = await anonymous.GetAsync(url);
            Assert.True(missing.StatusCode == HttpStatusCode.Unauthorized, $"{route} without a key answered {missing.StatusCode}");
            Assert.Contains("Authorization: Bearer", await missing.Content.ReadAsStringAsync());

            using var request = new HttpRequestMessage(HttpMethod.Get, url) { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", "rs_000000000000_" + new string('0', 48)) } };
            using var unknown = await anonymous.SendAsync(request);
            Assert.True(unknown.StatusCode == HttpStatusCode.Unauthorized, $"{route} with an unknown key answered {unknown.StatusCode}");
        }
    }

    [Fact]
    public async Task Every_ingest_rpc_refuses_a_call_without_a_valid_key()
    {
        using var channel = GrpcChannel.ForAddress(stack.IngestUrl);
        var client = new Ingest.IngestClient(channel);
        var bad = new Metadata { { "authorization", "Bearer not-a-key" } };

        foreach (var headers in new[] { new Metadata(), bad })
        {
            var getRun = await Assert.ThrowsAsync<RpcException>(() => client.GetRunAsync(new RunRef { Project = "p", RunId = "r" }, headers).ResponseAsync);
            Assert.Equal(StatusCode.Unauthenticated, getRun.StatusCode);
            var missing = await Assert.ThrowsAsync<RpcException>(() => client.FindMissingContentAsync(new FindMissingContentRequest(), headers).ResponseAsync);
            Assert.Equal(StatusCode.Unauthenticated, missing.StatusCode);
            using var stream = client.StreamFrames(headers);
            var streaming = await Assert.ThrowsAsync<RpcException>(async () => await stream.ResponseStream.MoveNext());
            Assert.Equal(StatusCode.Unauthenticated, streaming.StatusCode);
        }
    }

    [Fact]
    public async Task A_key_sees_only_its_own_entitys_projects()
    {
        var project = StackFixture.NewProject("private");
        string runId;
        await using (var run = await Experiment.InitAsync(stack.Settings(project)))
        {
            runId = run.Id;
            run.Log(new Dictionary<string, double> { ["loss"] = 1 });
        }
        await stack.WaitForJsonAsync($"/api/v1/projects/{project}/runs/{runId}", r => r?["state"]?.GetValue<string>() == "finished", "the run to finish");

        var otherKey = await stack.CreateApiKeyAsync($"team-b-{Guid.NewGuid():N}"[..20]);
        using var other = new HttpClient { BaseAddress = stack.Query.BaseAddress, DefaultRequestHeaders = { Authorization = new("Bearer", otherKey) } };
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"/api/v1/projects/{project}/runs/{runId}")).StatusCode);
        Assert.Empty((await other.GetFromJsonAsync<JsonArray>($"/api/v1/projects/{project}/runs"))!);
        Assert.DoesNotContain((await other.GetFromJsonAsync<JsonArray>("/api/v1/projects"))!, p => p!["name"]!.GetValue<string>() == project);

        // Writing with the other key lands in the other entity: the first entity's run is untouched.
        await using (var intruder = await Experiment.InitAsync(stack.Settings(project) with { ApiKey = otherKey, Id = runId, Resume = ResumeMode.Allow, SpoolDirectory = Directory.CreateTempSubdirectory().FullName }))
            intruder.Log(new Dictionary<string, double> { ["loss"] = 666 });
        await Poll.UntilAsync(async () => (await other.GetAsync($"/api/v1/projects/{project}/runs/{runId}")).StatusCode, status => status == HttpStatusCode.OK, "the other entity's run to appear");
        var mine = await stack.GetJsonAsync($"/api/v1/projects/{project}/runs/{runId}");
        Assert.Equal(1, mine!["summary"]!["loss"]!.GetValue<double>());
    }

    [Fact]
    public async Task A_revoked_key_stops_working_within_seconds()
    {
        var token = await stack.CreateApiKeyAsync(stack.Entity);
        using var client = new HttpClient { BaseAddress = stack.Query.BaseAddress, DefaultRequestHeaders = { Authorization = new("Bearer", token) } };
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/projects")).StatusCode);

        var id = token.Split('_')[1];
        Assert.Equal(HttpStatusCode.NoContent, (await stack.Admin.DeleteAsync($"/admin/v1/keys/{id}")).StatusCode);
        await Poll.UntilAsync(async () => (await client.GetAsync("/api/v1/projects")).StatusCode,
            status => status == HttpStatusCode.Unauthorized, "the revoked key to be refused", TimeSpan.FromSeconds(15));

        var listed = await stack.Admin.GetFromJsonAsync<JsonArray>($"/admin/v1/keys?entity={stack.Entity}");
        Assert.NotNull(listed!.Single(k => k!["id"]!.GetValue<string>() == id)!["revokedAt"]);
        Assert.DoesNotContain("key", listed!.Single(k => k!["id"]!.GetValue<string>() == id)!.AsObject().Select(p => p.Key));
    }

    [Fact]
    public async Task The_admin_api_needs_the_admin_key()
    {
        using var anonymous = new HttpClient { BaseAddress = stack.Query.BaseAddress };
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsJsonAsync("/admin/v1/keys", new { entity = "x", name = "y" })).StatusCode);
        using var withApiKey = new HttpClient { BaseAddress = stack.Query.BaseAddress, DefaultRequestHeaders = { Authorization = new("Bearer", stack.ApiKey) } };
        Assert.Equal(HttpStatusCode.Unauthorized, (await withApiKey.GetAsync("/admin/v1/keys")).StatusCode);
    }

    [Fact]
    public async Task A_rate_limited_client_backs_off_and_loses_nothing()
    {
        var key = await stack.CreateApiKeyAsync(StackFixture.RateLimitedEntity);
        using var query = new HttpClient { BaseAddress = stack.Query.BaseAddress, DefaultRequestHeaders = { Authorization = new("Bearer", key) } };
        var project = StackFixture.NewProject("limited");
        var warnings = new List<string>();
        const int steps = 1000; // 10,000 points at 2,000 points/s: several refusals on the way
        string runId;
        await using (var run = await Experiment.InitAsync(stack.Settings(project) with
        {
            ApiKey = key,
            MaxRowsPerFrame = 100,
            FinishTimeout = TimeSpan.FromSeconds(60),
            Warn = message => { lock (warnings) warnings.Add(message); },
        }))
        {
            runId = run.Id;
            for (var step = 0; step < steps; step++)
                run.Log(Enumerable.Range(0, 10).ToDictionary(k => $"k{k}", k => (double)step));
            Assert.True((await run.FinishAsync()).Complete);
        }
        lock (warnings)
            Assert.Contains(warnings, w => w.Contains("rate limiting") && w.Contains("2,000 points/s"));

        await Poll.UntilAsync(async () => (await query.GetFromJsonAsync<JsonNode>($"/api/v1/projects/{project}/runs/{runId}"))?["state"]?.GetValue<string>(),
            state => state == "finished", "the limited run to finish");
        var history = (await query.GetFromJsonAsync<JsonArray>($"/api/v1/projects/{project}/runs/{runId}/history"))!;
        Assert.Equal(steps, history.Count);
        Assert.All(history, row => Assert.Equal(row!["_step"]!.GetValue<long>(), row["k9"]!.GetValue<double>()));
    }

    [Fact]
    public async Task The_keys_command_creates_lists_and_revokes_keys()
    {
        var environment = new Dictionary<string, string> { ["RUNSTREAM_ADMIN_KEY"] = stack.AdminKey, ["RUNSTREAM_QUERY_URL"] = stack.Query.BaseAddress!.ToString() };
        var created = await StackFixture.RunCliAsync(["keys", "create", "--entity", stack.Entity, "--name", "cli"], environment);
        Assert.Equal(0, created.ExitCode);
        var token = created.Output.Split('\n', StringSplitOptions.TrimEntries).Single(line => line.StartsWith("rs_"));
        using var client = new HttpClient { BaseAddress = stack.Query.BaseAddress, DefaultRequestHeaders = { Authorization = new("Bearer", token) } };
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/projects")).StatusCode);

        var id = token.Split('_')[1];
        var listed = await StackFixture.RunCliAsync(["keys", "list", "--entity", stack.Entity], environment);
        Assert.Contains($"{id}\t{stack.Entity}\tcli", listed.Output);
        Assert.DoesNotContain(token, listed.Output);

        Assert.Equal(0, (await StackFixture.RunCliAsync(["keys", "revoke", id], environment)).ExitCode);
        await Poll.UntilAsync(async () => (await client.GetAsync("/api/v1/projects")).StatusCode,
            status => status == HttpStatusCode.Unauthorized, "the revoked key to be refused", TimeSpan.FromSeconds(15));

        var withoutAdmin = await StackFixture.RunCliAsync(["keys", "list"], new Dictionary<string, string> { ["RUNSTREAM_ADMIN_KEY"] = "" });
        Assert.Equal(2, withoutAdmin.ExitCode);
        Assert.Contains("RUNSTREAM_ADMIN_KEY", withoutAdmin.Output);
    }
}
