using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Npgsql;
using Runstream.Client;

namespace Runstream.IntegrationTests;

/// <summary>
/// Runstream as a cluster runs it, on this machine: three RabbitMQ nodes (deploy/local/cluster.sh) with
/// quorum queues, a PostgreSQL primary with a synchronous streaming replica (deploy/local/postgres-pair.sh),
/// two Ingest instances the SDK balances over, two Projections instances on two partitions of the frame
/// queue, and Query.
/// </summary>
public sealed class ClusterFixture : IAsyncLifetime, IRunstreamStack
{
    public const int Partitions = 2;
    private readonly string _suffix = Guid.NewGuid().ToString("N")[..10];
    private readonly Dictionary<string, (ServiceProcess? Process, string Project, string Url, Dictionary<string, string> Environment)> _services = [];
    private HttpClient _query = new();

    /// <summary>Node N of the cluster takes AMQP on this port + 10 * (N - 1), its management API one above; PostgreSQL's pair takes + 30 and + 31.</summary>
    public static int ClusterPort { get; } = int.Parse(Environment.GetEnvironmentVariable("RUNSTREAM_TEST_CLUSTER_PORT") ?? "56760",
        System.Globalization.CultureInfo.InvariantCulture);

    public string Entity { get; } = "cluster-team";
    public string ApiKey { get; private set; } = "";
    public string StateDirectory { get; } = Path.Combine(Path.GetTempPath(), $"runstream-cluster-{Guid.NewGuid().ToString("N")[..8]}");
    public string LogDirectory { get; } = Path.Combine(StackFixture.RepoRoot, "tests", "TestResults", "cluster-logs");
    public string FramesQueue => $"run-frames-{_suffix}";
    public string PartitionQueue(int partition) => Contracts.Bus.RunFrameQueue.PartitionQueue(FramesQueue, Partitions, partition);
    public string[] IngestUrls => [_services["ingest-a"].Url, _services["ingest-b"].Url];
    public string Database { get; private set; } = "";

    public async Task InitializeAsync()
    {
        if (Directory.Exists(LogDirectory))
            Directory.Delete(LogDirectory, recursive: true);
        await ScriptAsync("cluster.sh", "up");
        await PostgresAsync("up");
        var broker = ParseEnvironment(await ScriptAsync("cluster.sh", "env"))["ConnectionStrings__RabbitMq"];
        Database = ParseEnvironment(await ScriptAsync("postgres-pair.sh", "env"))["ConnectionStrings__Postgres"];

        var adminKey = $"admin-{Guid.NewGuid():N}";
        var environment = new Dictionary<string, string>
        {
            ["ConnectionStrings__Postgres"] = Database,
            ["ConnectionStrings__RabbitMq"] = broker,
            ["RabbitMq__QuorumQueues"] = "true",
            ["Ingest__Queue"] = FramesQueue,
            ["Frames__Queue"] = FramesQueue,
            ["Ingest__HeartbeatQueue"] = $"run-heartbeats-{_suffix}",
            ["Frames__HeartbeatQueue"] = $"run-heartbeats-{_suffix}",
            ["Ingest__Partitions"] = $"{Partitions}",
            ["Frames__Partitions"] = $"{Partitions}",
            ["Security__AdminKey"] = adminKey,
            ["Blobs__Root"] = Path.Combine(StateDirectory, "blobs"),
        };
        // Projections 0 applies the schema before the others start.
        for (var partition = 0; partition < Partitions; partition++)
            await StartAsync($"projections-{partition}", "Projections", new(environment) { ["Frames__Partition"] = $"{partition}" });
        await StartAsync("ingest-a", "Ingest", environment);
        await StartAsync("ingest-b", "Ingest", environment);
        await StartAsync("query", "Query", environment);

        using var admin = new HttpClient { BaseAddress = new Uri(_services["query"].Url), DefaultRequestHeaders = { Authorization = new("Bearer", adminKey) } };
        using var created = await admin.PostAsJsonAsync("/admin/v1/keys", new { entity = Entity, name = "cluster tests" });
        created.EnsureSuccessStatusCode();
        ApiKey = (await created.Content.ReadFromJsonAsync<JsonNode>())!["key"]!.GetValue<string>();
        _query = new HttpClient { BaseAddress = new Uri(_services["query"].Url), DefaultRequestHeaders = { Authorization = new("Bearer", ApiKey) } };
    }

    private static int ManagementPort(int node) => ClusterPort + 10 * (node - 1) + 1;

    private async Task StartAsync(string name, string project, Dictionary<string, string> environment)
    {
        var url = _services.TryGetValue(name, out var known) ? known.Url : $"http://127.0.0.1:{FreePort()}";
        _services[name] = (null, project, url, environment);
        var process = await ServiceProcess.StartReadyAsync(name, ServiceProcess.DllOf(project), environment, LogDirectory, url, http2: project == "Ingest");
        _services[name] = (process, project, url, environment);
    }

    /// <summary>Kills a service with SIGKILL, as a crash or an OOM kill would; <see cref="StartAgainAsync"/> brings it back.</summary>
    public async Task KillAsync(string name)
    {
        var service = _services[name];
        if (service.Process is { } process)
            await process.DisposeAsync();
        _services[name] = service with { Process = null };
    }

    /// <summary>Starts a killed service again, as first started and on the same port.</summary>
    public Task StartAgainAsync(string name) => StartAsync(name, _services[name].Project, _services[name].Environment);

    /// <summary>Stops broker node 1-3 (rabbitmqctl shutdown); its quorum queues elect leaders among the others.</summary>
    public Task StopNodeAsync(int node) => ScriptAsync("cluster.sh", "stop-node", $"{node}");

    public Task StartNodeAsync(int node) => ScriptAsync("cluster.sh", "start-node", $"{node}");

    /// <summary>The PostgreSQL pair: <c>stop-primary</c> (immediate, as a crash), <c>promote</c>, <c>up</c> (the old primary rejoins as replica).</summary>
    public Task PostgresAsync(string verb) => ScriptAsync("postgres-pair.sh", verb);

    /// <summary>A queue as the management API of a running node describes it: type, leader, members, messages.</summary>
    public async Task<JsonNode> QueueAsync(string queue, int askNode)
    {
        using var management = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{ManagementPort(askNode)}") };
        management.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String("guest:guest"u8.ToArray()));
        return (await management.GetFromJsonAsync<JsonNode>($"/api/queues/%2F/{Uri.EscapeDataString(queue)}"))!;
    }

    /// <summary>The node (1-3) leading a quorum queue.</summary>
    public static int NodeNumber(string nodeName) => int.Parse(nodeName.Split('@')[0].Split('-')[^1], System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Runs a launcher script of deploy/local on this fixture's state and ports; returns its output.</summary>
    private async Task<string> ScriptAsync(string script, params string[] arguments)
    {
        var start = new System.Diagnostics.ProcessStartInfo("bash", [Path.Combine(StackFixture.RepoRoot, "deploy", "local", script), .. arguments])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment =
            {
                ["RUNSTREAM_STATE"] = StateDirectory,
                ["RUNSTREAM_CLUSTER_PORT"] = $"{ClusterPort}",
                ["RUNSTREAM_PAIR_PORT"] = $"{ClusterPort + 30}",
            },
        };
        using var process = System.Diagnostics.Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{script} {string.Join(' ', arguments)} failed: {await output}{await error}");
        return await output;
    }

    /// <summary>The variables of a script's <c>export NAME="value"</c> lines.</summary>
    private static Dictionary<string, string> ParseEnvironment(string exports) =>
        exports.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Replace("export ", "", StringComparison.Ordinal).Split('=', 2))
            .ToDictionary(pair => pair[0], pair => pair[1].Trim('"'));

    public RunSettings Settings(string project) => new()
    {
        Project = project,
        Url = string.Join(',', IngestUrls),
        ApiKey = ApiKey,
        SpoolDirectory = Path.Combine(StateDirectory, "spool"),
        HeartbeatInterval = TimeSpan.FromMilliseconds(500),
        CaptureConsole = false,
        RecordEnvironment = false,
        SystemMetricsInterval = TimeSpan.Zero,
    };

    public Task<JsonNode?> GetJsonAsync(string path) => QueryJson.GetAsync(_query, path);

    public Task<JsonNode?> TryGetJsonAsync(string path) => QueryJson.TryGetAsync(_query, path);

    public async Task<NpgsqlConnection> OpenDatabaseAsync()
    {
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(Database) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    public async Task DisposeAsync()
    {
        foreach (var (_, service) in _services)
            if (service.Process is { } process)
                await process.DisposeAsync();
        _query.Dispose();
        NpgsqlConnection.ClearAllPools();
        try
        {
            await ScriptAsync("cluster.sh", "down");
        }
        finally
        {
            await PostgresAsync("destroy");
            Directory.Delete(StateDirectory, recursive: true);
        }
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}

[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<ClusterFixture>
{
    public const string Name = "cluster";
}
