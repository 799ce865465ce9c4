using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using Grpc.Core;
using Grpc.Net.Client;
using Npgsql;
using Runstream.Contracts.V1;
using Xunit.Abstractions;

namespace Runstream.IntegrationTests;

/// <summary>
/// What keys cost and how long they last: tokens that are no key cost neither memory nor a database
/// lookup each, and a revoked key ends the streams that are open with it.
/// </summary>
[Collection(StackCollection.Name)]
public sealed class KeyCheckTests(StackFixture stack, ITestOutputHelper output)
{
    /// <summary>
    /// Failed before: every well-formed token was cached forever and looked up in the database, so
    /// random tokens grew Query's memory and cost one lookup each.
    /// </summary>
    [Fact]
    public async Task Random_tokens_leave_memory_flat_and_cost_few_lookups_while_real_keys_still_pass()
    {
        // An instance of its own: the flood spends the failure budget of this test's address there only.
        var url = await stack.StartAnotherAsync("query-flooded", "query", "http", new Dictionary<string, string>());
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 8 }) { BaseAddress = new Uri(url) };
        async Task<Dictionary<HttpStatusCode, int>> FloodAsync(int tokens)
        {
            var answers = new System.Collections.Concurrent.ConcurrentDictionary<HttpStatusCode, int>();
            await Parallel.ForAsync(0, tokens, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (_, cancellation) =>
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/projects");
                request.Headers.Authorization = new("Bearer", RandomToken());
                using var response = await http.SendAsync(request, cancellation);
                answers.AddOrUpdate(response.StatusCode, 1, (_, n) => n + 1);
            });
            return new(answers);
        }

        await FloodAsync(5_000);
        var process = stack.ProcessOf("query-flooded");
        var memoryBefore = process.ResidentBytes();
        var lookupsBefore = await KeyLookupsAsync();
        var answers = await FloodAsync(100_000);
        var memoryAfter = process.ResidentBytes();
        var lookups = await KeyLookupsAsync() - lookupsBefore;

        output.WriteLine($"answers {string.Join(", ", answers)}; {lookups:N0} key lookups; resident memory {memoryBefore / 1048576.0:0.0} -> {memoryAfter / 1048576.0:0.0} MiB");
        Assert.Equal(100_000, answers.Where(a => a.Key is HttpStatusCode.Unauthorized or HttpStatusCode.TooManyRequests).Sum(a => a.Value));
        Assert.True(answers.GetValueOrDefault(HttpStatusCode.TooManyRequests) > 90_000, $"answers: {string.Join(", ", answers)}");
        // The failure budget: a burst of 100 and 20 a second (the flood takes well under a minute).
        Assert.True(lookups < 5_000, $"{lookups:N0} key lookups for 100,000 random tokens");
        Assert.True(memoryAfter - memoryBefore < 40 * 1024 * 1024, $"resident memory grew from {memoryBefore:N0} to {memoryAfter:N0} bytes");

        // A real key from the same address still passes, however many bad ones came before.
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/projects");
        request.Headers.Authorization = new("Bearer", stack.ApiKey);
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(request)).StatusCode);
        await stack.StopAsync("query-flooded");
    }

    [Fact]
    public async Task Ingest_throttles_random_tokens_with_a_retry_after()
    {
        var url = await stack.StartIngestAsync("ingest-flooded", "http", new Dictionary<string, string>());
        using var channel = GrpcChannel.ForAddress(url);
        var client = new Ingest.IngestClient(channel);
        var codes = new List<StatusCode>();
        RpcException? throttled = null;
        for (var i = 0; i < 300; i++)
        {
            var e = await Assert.ThrowsAsync<RpcException>(() => client.GetRunAsync(new RunRef { Project = "p", RunId = "r" }, new Metadata { { "authorization", $"Bearer {RandomToken()}" } }).ResponseAsync);
            codes.Add(e.StatusCode);
            if (e.StatusCode == StatusCode.ResourceExhausted)
                throttled ??= e;
        }
        Assert.All(codes, code => Assert.True(code is StatusCode.Unauthenticated or StatusCode.ResourceExhausted, code.ToString()));
        Assert.NotNull(throttled);
        Assert.NotNull(throttled!.Trailers.GetValue("retry-after-ms"));
        Assert.False((await client.GetRunAsync(new RunRef { Project = "p", RunId = "r" }, new Metadata { { "authorization", $"Bearer {stack.ApiKey}" } })).Exists);
        await stack.StopAsync("ingest-flooded");
    }

    /// <summary>Failed before: a key was checked once per call, and a run's frame stream lived on after its revocation.</summary>
    [Fact]
    public async Task A_revoked_key_ends_an_open_frame_stream_within_five_seconds()
    {
        var key = await stack.CreateApiKeyAsync(stack.Entity);
        using var channel = GrpcChannel.ForAddress(stack.IngestUrl);
        using var call = new Ingest.IngestClient(channel).StreamFrames(new Metadata { { "authorization", $"Bearer {key}" } });
        var run = new RunRef { Project = StackFixture.NewProject("revoked"), RunId = "r1" };
        await call.RequestStream.WriteAsync(RawIngestClient.Started(run, 1));
        Assert.True(await call.ResponseStream.MoveNext());
        Assert.Equal(1, call.ResponseStream.Current.Ack.Sequence);

        // The stream stays open and idle, as a training job's between steps.
        await stack.RevokeApiKeyAsync(key);
        var revokedAt = Stopwatch.StartNew();
        var ended = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            using var giveUp = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            while (await call.ResponseStream.MoveNext(giveUp.Token)) { }
        });
        Assert.Equal(StatusCode.Unauthenticated, ended.StatusCode);
        Assert.Contains("revoked", ended.Status.Detail);
        Assert.True(revokedAt.Elapsed < TimeSpan.FromSeconds(5), $"the stream ended {revokedAt.Elapsed.TotalSeconds:0.0} s after the revocation");
    }

    /// <summary>Failed before: an event stream, like a frame stream, outlived the revocation of its key.</summary>
    [Fact]
    public async Task A_revoked_key_ends_an_open_event_stream_within_five_seconds()
    {
        var key = await stack.CreateApiKeyAsync(stack.Entity);
        using var query = stack.QueryAs(key);
        query.Timeout = Timeout.InfiniteTimeSpan;
        using var giveUp = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var events = await query.GetStreamAsync($"/api/v1/projects/{StackFixture.NewProject("revoked")}/events", giveUp.Token);
        using var reader = new StreamReader(events);
        Assert.Equal(": connected", await reader.ReadLineAsync(giveUp.Token));

        await stack.RevokeApiKeyAsync(key);
        var revokedAt = Stopwatch.StartNew();
        var rest = await reader.ReadToEndAsync(giveUp.Token);
        Assert.Contains("event: revoked", rest);
        Assert.True(revokedAt.Elapsed < TimeSpan.FromSeconds(5), $"the stream ended {revokedAt.Elapsed.TotalSeconds:0.0} s after the revocation");
    }

    private static string RandomToken() =>
        $"rs_{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6))}_{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24))}";

    /// <summary>Index and sequential scans of the key table: one per lookup of a key by id.</summary>
    private async Task<long> KeyLookupsAsync()
    {
        await using var connection = new NpgsqlConnection(stack.Database);
        await connection.OpenAsync();
        // Backends report their statistics within seconds, so the count may trail by the last few lookups.
        await using var command = new NpgsqlCommand(
            "select coalesce(sum(coalesce(idx_scan, 0) + coalesce(seq_scan, 0)), 0)::bigint from pg_stat_user_tables where relname = 'mt_doc_apikey'", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
