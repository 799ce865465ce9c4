using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Runstream.Client;
using Runstream.Contracts.V1;

namespace Runstream.IntegrationTests;

/// <summary>
/// Random and malformed input at every door: frames, authorization headers, filters. The services
/// answer each with an error (never a 500, never a crash) and stay up for the good requests after.
/// Seeded, so a failure can be replayed.
/// </summary>
[Collection(StackCollection.Name)]
public sealed class FuzzTests(StackFixture stack)
{
    private const int Seed = 20261128;

    [Fact]
    public async Task Random_frames_get_errors_and_ingest_stays_up()
    {
        var random = new Random(Seed);
        using var client = new RawIngestClient(stack.IngestUrl, stack.ApiKey);
        var run = new RunRef { Project = StackFixture.NewProject("fuzz"), RunId = "target" };
        var replies = await client.SendAsync(RawIngestClient.Started(run, 1));
        Assert.IsType<Ack>(replies.Single().Ack);

        for (var round = 0; round < 60; round++)
        {
            var frames = Enumerable.Range(0, random.Next(1, 6)).Select(_ => RandomFrame(random, run)).ToArray();
            try
            {
                foreach (var reply in await client.SendAsync(frames))
                    Assert.True(reply.Ack is not null || reply.Error is { Code.Length: > 0, Message.Length: > 0 }, reply.ToString());
            }
            catch (RpcException e)
            {
                // A frame without a usable run reference ends the stream with a status that says why.
                Assert.Contains(e.StatusCode, new[] { StatusCode.InvalidArgument, StatusCode.ResourceExhausted });
                Assert.NotEmpty(e.Status.Detail);
            }
        }

        // Bytes that are no protobuf at all: an INVALID_ARGUMENT error (as a reply, or as the status when
        // they happen to parse into a frame naming no run), never UNKNOWN; the service goes on.
        using var channel = GrpcChannel.ForAddress(stack.IngestUrl);
        var raw = Marshallers.Create<byte[]>(b => b, b => b);
        var method = new Method<byte[], byte[]>(MethodType.DuplexStreaming, "runstream.v1.Ingest", "StreamFrames", raw, raw);
        for (var i = 0; i < 10; i++)
        {
            using var call = channel.CreateCallInvoker().AsyncDuplexStreamingCall(method, null, new CallOptions(new Metadata { { "authorization", $"Bearer {stack.ApiKey}" } }));
            var garbage = new byte[random.Next(1, 512)];
            random.NextBytes(garbage);
            await call.RequestStream.WriteAsync(garbage);
            await call.RequestStream.CompleteAsync();
            var errors = new List<FrameError>();
            try
            {
                while (await call.ResponseStream.MoveNext())
                    errors.Add(IngestReply.Parser.ParseFrom(call.ResponseStream.Current).Error);
            }
            catch (RpcException e)
            {
                Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
                continue;
            }
            Assert.Equal("INVALID_ARGUMENT", Assert.Single(errors).Code);
        }

        // Still serving, end to end: whatever the fuzz left in the queue holds up no other run.
        // (It once did: a client time beyond the year 9999 made every batch with it fail and retry for minutes.)
        string runId;
        await using (var good = await Experiment.InitAsync(stack.Settings(run.Project)))
        {
            runId = good.Id;
            good.Log(new Dictionary<string, double> { ["loss"] = 1 });
        }
        await stack.WaitForJsonAsync($"/api/v1/projects/{run.Project}/runs/{runId}", r => r?["state"]?.GetValue<string>() == "finished", "a good run after the fuzz");
    }

    [Fact]
    public async Task Random_authorization_headers_get_401_and_unauthenticated()
    {
        var random = new Random(Seed);
        using var anonymous = new HttpClient { BaseAddress = stack.Query.BaseAddress };
        using var channel = GrpcChannel.ForAddress(stack.IngestUrl);
        var ingest = new Ingest.IngestClient(channel);
        for (var i = 0; i < 100; i++)
        {
            // HTTP and gRPC clients send printable ASCII only; the rest never reaches a server.
            var value = new string(RandomHeader(random).Where(c => c is >= ' ' and <= '~').ToArray());
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/projects");
            request.Headers.TryAddWithoutValidation("Authorization", value);
            using var response = await anonymous.SendAsync(request);
            Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"'{value}' got {response.StatusCode}");

            var status = await Assert.ThrowsAsync<RpcException>(() => ingest.GetRunAsync(new RunRef { Project = "p", RunId = "r" }, new Metadata { { "authorization", value } }).ResponseAsync);
            Assert.Equal(StatusCode.Unauthenticated, status.StatusCode);
        }
    }

    [Fact]
    public async Task Random_filters_get_results_or_a_400_never_a_server_error()
    {
        var random = new Random(Seed);
        var project = StackFixture.NewProject("fuzz-filters");
        for (var i = 0; i < 300; i++)
        {
            var filter = i % 10 == 0 ? RandomText(random, 40) : RandomFilter(random, depth: 0).ToJsonString();
            using var response = await stack.Query.GetAsync($"/api/v1/projects/{project}/runs?filters={Uri.EscapeDataString(filter)}&order={Uri.EscapeDataString(RandomField(random))}");
            Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.BadRequest, $"{filter} got {response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
            if (response.StatusCode == HttpStatusCode.BadRequest)
                Assert.NotEmpty((await response.Content.ReadFromJsonAsync<JsonNode>())!["detail"]!.GetValue<string>());
        }
        Assert.True((await stack.Query.GetAsync("/health/ready")).IsSuccessStatusCode);
    }

    private static RunFrame RandomFrame(Random random, RunRef run)
    {
        var frame = new RunFrame
        {
            Run = random.Next(10) == 0 ? new RunRef { Project = RandomText(random, 200), RunId = RandomText(random, 5) } : run,
            Sequence = random.Next(4) switch { 0 => -random.Next(100), 1 => 0, _ => random.Next(2, 5000) },
            ClientTimeUnixMs = random.Next(3) == 0 ? random.NextInt64() : DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
        };
        switch (random.Next(8))
        {
            case 0: frame.Started = new RunStarted { Name = RandomText(random, 300), ConfigJson = RandomText(random, 50), Tags = { RandomText(random, 300) } }; break;
            case 1: frame.ConfigUpdated = new ConfigUpdated { ConfigJson = random.Next(2) == 0 ? "[1,2]" : RandomText(random, 80) }; break;
            case 2:
                var metrics = new MetricsLogged { Keys = { RandomText(random, 20), "" } };
                metrics.Rows.Add(new MetricRow { Step = random.Next(-5, 5), KeyIndexes = { (uint)random.Next(5) }, Values = { random.NextDouble(), double.NaN } });
                frame.Metrics = metrics;
                break;
            case 3: frame.SummaryUpdated = new SummaryUpdated { Values = { [RandomText(random, 300)] = double.PositiveInfinity } }; break;
            case 4: frame.ArtifactLogged = new ArtifactLogged { Name = "../../etc", Type = RandomText(random, 10), Digest = RandomText(random, 64), Files = { new ArtifactFile { Path = "/etc/passwd", Digest = new string('a', 64) } } }; break;
            case 5: frame.ArtifactUsed = new ArtifactUsed { Name = RandomText(random, 10), Version = "", Digest = "x" }; break;
            case 6: frame.Edited = new RunEdited { Notes = RandomText(random, 100), Tags = new TagList { Tags = { Enumerable.Range(0, random.Next(200)).Select(i => $"t{i}") } } }; break;
            default: break; // no payload at all
        }
        return frame;
    }

    private static readonly string[] Operators = ["$eq", "$ne", "$gt", "$gte", "$lt", "$lte", "$in", "$nin", "$exists", "$regex", "$not", "$and", "$or", "$nor", "$options", "$bogus"];

    private static string RandomField(Random random) => random.Next(8) switch
    {
        0 => "name", 1 => "-createdAt", 2 => "tags", 3 => "config." + RandomText(random, 6), 4 => "summary." + RandomText(random, 6),
        5 => "state", 6 => "config.a.b.c", _ => RandomText(random, 8),
    };

    private static JsonNode? RandomValue(Random random, int depth) => random.Next(depth > 3 ? 5 : 8) switch
    {
        0 => JsonValue.Create(random.NextDouble() * 100),
        1 => JsonValue.Create(RandomText(random, 8)),
        2 => JsonValue.Create(random.Next(2) == 0),
        3 => null,
        4 => JsonValue.Create("(a|b)*[" + RandomText(random, 3)),
        5 => new JsonArray([.. Enumerable.Range(0, random.Next(4)).Select(_ => RandomValue(random, depth + 1))]),
        _ => RandomFilter(random, depth + 1),
    };

    private static JsonObject RandomFilter(Random random, int depth)
    {
        var filter = new JsonObject();
        for (var i = 0; i < random.Next(1, 4); i++)
        {
            var key = random.Next(3) == 0 ? Operators[random.Next(Operators.Length)] : RandomField(random).TrimStart('-');
            filter[key] = RandomValue(random, depth);
        }
        return filter;
    }

    private static string RandomHeader(Random random) => random.Next(6) switch
    {
        0 => "",
        1 => "Bearer",
        2 => "Bearer " + RandomText(random, random.Next(1, 200)),
        3 => "Basic dXNlcjpwYXNz",
        4 => $"Bearer rs_{RandomText(random, 12)}_{RandomText(random, 48)}",
        _ => RandomText(random, random.Next(1, 100)),
    };

    private static string RandomText(Random random, int length)
    {
        const string alphabet = "abcXYZ019-_./\\'\"$%{}[] \t\u00e9\u4e2d\u0000\u200b";
        var text = new StringBuilder(length);
        for (var i = 0; i < length; i++)
            text.Append(alphabet[random.Next(alphabet.Length)]);
        return text.ToString();
    }
}
