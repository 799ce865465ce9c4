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
        var routes = ApiRoutes(document!);
        Assert.NotEmpty(routes);

        foreach (var (method, route) in routes)
        {
            var url = Fill(route, "p", "r");
            using var missing = await anonymous.SendAsync(new HttpRequestMessage(method, url));
            Assert.True(missing.StatusCode == HttpStatusCode.Unauthorized, $"{method} {route} without a key answered {missing.StatusCode}");
            Assert.Contains("Authorization: Bearer", await missing.Content.ReadAsStringAsync());

            using var request = new HttpRequestMessage(method, url) { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", "rs_000000000000_" + new string('0', 48)) } };
            using var unknown = await anonymous.SendAsync(request);
            Assert.True(unknown.StatusCode == HttpStatusCode.Unauthorized, $"{method} {route} with an unknown key answered {unknown.StatusCode}");
        }
    }

    [Fact]
    public async Task Every_ingest_rpc_refuses_a_call_without_a_valid_key()
    {
        using var channel = GrpcChannel.ForAddress(stack.IngestUrl);
        var client = new Ingest.IngestClient(channel);
        var bad = new Metadata { { "authorization", "Bearer not-a-key" } };

        // Every method of the service, from its descriptor: a new RPC without the check fails here.
        var methods = Ingest.Descriptor.Methods;
        Assert.True(methods.Count >= 6);
        foreach (var headers in new[] { new Metadata(), bad })
            foreach (var method in methods)
            {
                var status = await CallWithEmptyMessageAsync(channel, method, headers);
                Assert.True(status == StatusCode.Unauthenticated, $"{method.Name} answered {status}");
            }
    }

    /// <summary>Calls any method of the Ingest service with an empty message, whatever its streaming shape.</summary>
    private static async Task<StatusCode> CallWithEmptyMessageAsync(GrpcChannel channel, Google.Protobuf.Reflection.MethodDescriptor descriptor, Metadata headers)
    {
        var type = (descriptor.IsClientStreaming, descriptor.IsServerStreaming) switch
        {
            (false, false) => MethodType.Unary,
            (true, false) => MethodType.ClientStreaming,
            (false, true) => MethodType.ServerStreaming,
            _ => MethodType.DuplexStreaming,
        };
        var bytes = Marshallers.Create<byte[]>(b => b, b => b);
        var method = new Method<byte[], byte[]>(type, descriptor.Service.FullName, descriptor.Name, bytes, bytes);
        var options = new CallOptions(headers);
        try
        {
            switch (type)
            {
                case MethodType.Unary:
                    await channel.CreateCallInvoker().AsyncUnaryCall(method, null, options, []);
                    break;
                case MethodType.ServerStreaming:
                    using (var call = channel.CreateCallInvoker().AsyncServerStreamingCall(method, null, options, []))
                        await call.ResponseStream.MoveNext();
                    break;
                case MethodType.ClientStreaming:
                    using (var call = channel.CreateCallInvoker().AsyncClientStreamingCall(method, null, options))
                    {
                        await call.RequestStream.CompleteAsync();
                        await call.ResponseAsync;
                    }
                    break;
                default:
                    using (var call = channel.CreateCallInvoker().AsyncDuplexStreamingCall(method, null, options))
                        await call.ResponseStream.MoveNext();
                    break;
            }
            return StatusCode.OK;
        }
        catch (RpcException e)
        {
            return e.StatusCode;
        }
    }

    /// <summary>Failed before: the health service wanted a key, so the kubelet's gRPC probe never saw Ingest ready.</summary>
    [Fact]
    public async Task The_grpc_health_service_answers_a_probe_without_a_key()
    {
        using var channel = GrpcChannel.ForAddress(stack.IngestUrl);
        var health = new Grpc.Health.V1.Health.HealthClient(channel);
        var reply = await health.CheckAsync(new Grpc.Health.V1.HealthCheckRequest());
        Assert.Equal(Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus.Serving, reply.Status);
    }

    [Fact]
    public async Task Another_entitys_key_gets_nothing_of_a_project_on_any_route()
    {
        var project = StackFixture.NewProject("guarded");
        var folder = Directory.CreateTempSubdirectory().FullName;
        await File.WriteAllTextAsync(Path.Combine(folder, "model.json"), "secret weights");
        string runId;
        await using (var run = await Experiment.InitAsync(stack.Settings(project) with { Notes = "secret notes" }))
        {
            runId = run.Id;
            run.Log(new Dictionary<string, double> { ["loss"] = 0.123456 });
            await run.LogArtifactAsync(folder, name: "model", type: "model", aliases: ["best"]);
        }
        await stack.WaitForJsonAsync($"/api/v1/projects/{project}/artifacts/model/v0", v => v is not null, "the artifact");
        using var view = await stack.Query.PostAsJsonAsync($"/api/v1/projects/{project}/views", new { name = "secret view", state = "q=secret" });
        var viewId = (await view.Content.ReadFromJsonAsync<JsonNode>())!["viewId"]!.GetValue<string>();

        var otherKey = await stack.CreateApiKeyAsync($"team-c-{Guid.NewGuid():N}"[..20]);
        using var other = new HttpClient { BaseAddress = stack.Query.BaseAddress, DefaultRequestHeaders = { Authorization = new("Bearer", otherKey) } };
        using var anonymous = new HttpClient { BaseAddress = stack.Query.BaseAddress };
        foreach (var (method, route) in ApiRoutes((await anonymous.GetFromJsonAsync<JsonNode>("/openapi/v1.json"))!))
        {
            // Every parameter any route needs, so each reaches its entity check rather than a 400.
            var url = Fill(route, project, runId).Replace("{viewId}", viewId) + $"?runs={runId}&key=loss&groupBy=group&metric=summary.loss&params=config.x";
            using var request = new HttpRequestMessage(method, url);
            if (method != HttpMethod.Get && method != HttpMethod.Delete)
                request.Content = JsonContent.Create(new { notes = "x", version = "v0", project = "elsewhere" });
            using var response = await other.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            Assert.True((int)response.StatusCode < 500, $"{method} {route} answered {response.StatusCode}");
            if (route.EndsWith("/events"))
                continue;
            var body = await response.Content.ReadAsStringAsync();
            // The notes, the artifact's content and the metric value are what another entity must never see.
            foreach (var secret in new[] { "secret", "0.123456" })
                Assert.False(body.Contains(secret), $"{method} {route} revealed '{secret}': {body}");
        }

        using var channel = GrpcChannel.ForAddress(stack.IngestUrl);
        var client = new Ingest.IngestClient(channel);
        var headers = new Metadata { { "authorization", $"Bearer {otherKey}" } };
        Assert.False((await client.GetRunAsync(new RunRef { Project = project, RunId = runId }, headers)).Exists);
        var artifact = await Assert.ThrowsAsync<RpcException>(() => client.GetArtifactAsync(new ArtifactRef { Project = project, Name = "model", Version = "v0" }, headers).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, artifact.StatusCode);
        using var download = client.DownloadContent(new ArtifactFileRef { Artifact = new ArtifactRef { Project = project, Name = "model", Version = "v0" }, Path = "model.json" }, headers);
        Assert.Equal(StatusCode.NotFound, (await Assert.ThrowsAsync<RpcException>(() => download.ResponseStream.MoveNext())).StatusCode);
        // Nor does it learn that the content exists: content it did not upload is missing for it.
        var digest = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData("secret weights"u8));
        Assert.Equal([digest], (await client.FindMissingContentAsync(new FindMissingContentRequest { Digests = { digest } }, headers)).Missing);
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
        Assert.Empty((await other.GetFromJsonAsync<JsonNode>($"/api/v1/projects/{project}/runs"))!["runs"]!.AsArray());
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

    /// <summary>Every (method, route) of the public API, from the service's OpenAPI document.</summary>
    internal static List<(HttpMethod Method, string Route)> ApiRoutes(JsonNode document) =>
        [.. document["paths"]!.AsObject()
            .Where(path => path.Key.StartsWith("/api/"))
            .SelectMany(path => path.Value!.AsObject().Select(operation => (new HttpMethod(operation.Key.ToUpperInvariant()), path.Key)))];

    internal static string Fill(string route, string project, string runId) =>
        route.Replace("{project}", project).Replace("{runId}", runId).Replace("{name}", "model").Replace("{version}", "v0")
            .Replace("{alias}", "best").Replace("{path}", "model.json");
}
