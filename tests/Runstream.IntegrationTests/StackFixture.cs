using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Npgsql;
using Runstream.Client;

namespace Runstream.IntegrationTests;

/// <summary>
/// The three services as real processes over the PostgreSQL and RabbitMQ that <c>./platform test</c>
/// started, with a database, a queue and a blob folder of their own so test runs never meet.
/// Tests isolate themselves further by using a project of their own.
/// </summary>
public sealed class StackFixture : IAsyncLifetime, IRunstreamStack
{
    private readonly string _suffix = Guid.NewGuid().ToString("N")[..10];
    private readonly Dictionary<string, (ServiceProcess Process, ServiceLaunch Launch)> _services = [];

    /// <summary>How a service was started, so a test can start it again after killing it.</summary>
    private sealed record ServiceLaunch(string Project, string Url, Dictionary<string, string> Environment, bool Http2);
    private string _adminConnection = "";
    private string _database = "";

    public string IngestUrl { get; private set; } = "";

    /// <summary>The entity the tests' runs belong to, and its API key; other entities' keys come from <see cref="CreateApiKeyAsync"/>.</summary>
    public string Entity { get; } = "team-a";
    public string ApiKey { get; private set; } = "";
    public string AdminKey { get; } = $"admin-{Guid.NewGuid():N}";

    /// <summary>An entity Ingest limits to a few points a second, for the rate-limit test.</summary>
    public const string RateLimitedEntity = "slowteam";
    public const int RateLimitedPointsPerSecond = 2000;

    /// <summary>An entity Ingest limits to a few bytes a second, and one with a small storage quota, for the quota tests.</summary>
    public const string ByteLimitedEntity = "byteteam";
    public const int ByteLimitedBytesPerSecond = 256 * 1024;
    public const string QuotaEntity = "quotateam";
    public const long QuotaBytes = 1024 * 1024;

    /// <summary>The largest upload Ingest takes in the tests.</summary>
    public const long MaxUploadBytes = 16 * 1024 * 1024;
    public HttpClient Admin { get; private set; } = new();

    /// <summary>The queue Ingest sends frames to and Projections consumes.</summary>
    public string FramesQueue => $"run-frames-{_suffix}";
    public string HeartbeatQueue => $"run-heartbeats-{_suffix}";

    /// <summary>The blob volume the services share: artifact files, and large frames under <c>frames/</c>.</summary>
    public string BlobsRoot => Path.Combine(Path.GetTempPath(), $"runstream-blobs-{_suffix}");

    public static string RabbitMq { get; } = Environment.GetEnvironmentVariable("ConnectionStrings__RabbitMq") ?? "amqp://guest:guest@127.0.0.1:56720/";

    /// <summary>Connection string of this test run's own database.</summary>
    public string Database { get; private set; } = "";
    public HttpClient Query { get; private set; } = new();
    public string LogDirectory { get; } = Path.Combine(RepoRoot, "tests", "TestResults", "service-logs");

    public static string RepoRoot { get; } = FindRepoRoot();

    /// <summary>The build configuration of these tests, and so of the services they start.</summary>
    public static string Configuration { get; } =
        AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}") ? "Debug" : "Release";

    /// <summary>Short, so crash detection can be watched; heartbeats in tests come far more often.</summary>
    public static readonly TimeSpan CrashAfter = TimeSpan.FromSeconds(3);

    /// <summary>Where the tests' runs spool their frames.</summary>
    public string SpoolRoot { get; } = Directory.CreateTempSubdirectory("runstream-spool-").FullName;

    public async Task InitializeAsync()
    {
        if (Directory.Exists(LogDirectory))
            Directory.Delete(LogDirectory, recursive: true);
        var postgres = Environment.GetEnvironmentVariable("ConnectionStrings__Postgres")
            ?? "Host=127.0.0.1;Port=55432;Database=runstream;Username=postgres";

        _adminConnection = new NpgsqlConnectionStringBuilder(postgres) { Database = "postgres" }.ConnectionString;
        _database = $"runstream_test_{_suffix}";
        await using (var admin = new NpgsqlConnection(_adminConnection))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"create database {_database}", admin);
            await create.ExecuteNonQueryAsync();
        }

        var ingestPort = FreePort();
        var queryPort = FreePort();
        var environment = new Dictionary<string, string>
        {
            ["ConnectionStrings__Postgres"] = new NpgsqlConnectionStringBuilder(postgres) { Database = _database }.ConnectionString,
            ["ConnectionStrings__RabbitMq"] = RabbitMq,
            ["Ingest__Queue"] = FramesQueue,
            ["Frames__Queue"] = FramesQueue,
            ["Ingest__HeartbeatQueue"] = HeartbeatQueue,
            ["Frames__HeartbeatQueue"] = HeartbeatQueue,
            ["Runs__CrashAfter"] = CrashAfter.ToString("c"),
            ["Security__AdminKey"] = AdminKey,
            [$"Ingest__RateLimits__PointsPerSecond__{RateLimitedEntity}"] = RateLimitedPointsPerSecond.ToString(System.Globalization.CultureInfo.InvariantCulture),
            [$"Ingest__RateLimits__BytesPerSecond__{ByteLimitedEntity}"] = ByteLimitedBytesPerSecond.ToString(System.Globalization.CultureInfo.InvariantCulture),
            [$"Ingest__Quotas__StorageBytes__{QuotaEntity}"] = QuotaBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Ingest__MaxUploadBytes"] = MaxUploadBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Blobs__Root"] = BlobsRoot,
        };

        IngestUrl = $"http://127.0.0.1:{ingestPort}";
        var projectionsUrl = $"http://127.0.0.1:{FreePort()}";
        var queryUrl = $"http://127.0.0.1:{queryPort}";
        Database = environment["ConnectionStrings__Postgres"];
        // Projections applies the schema first, so the other two find it in place.
        await StartAsync("projections", new ServiceLaunch("Projections", projectionsUrl, environment, Http2: false));
        await StartAsync("ingest", new ServiceLaunch("Ingest", IngestUrl, environment, Http2: true));
        await StartAsync("query", new ServiceLaunch("Query", queryUrl, environment, Http2: false));
        Admin = new HttpClient { BaseAddress = new Uri(queryUrl), DefaultRequestHeaders = { Authorization = new("Bearer", AdminKey) } };
        ApiKey = await CreateApiKeyAsync(Entity);
        Query = new HttpClient { BaseAddress = new Uri(queryUrl), DefaultRequestHeaders = { Authorization = new("Bearer", ApiKey) } };
    }

    /// <summary>A Query client with another key (dispose it).</summary>
    public HttpClient QueryAs(string key) =>
        new() { BaseAddress = Query.BaseAddress, DefaultRequestHeaders = { Authorization = new("Bearer", key) } };

    /// <summary>Revokes a key through the admin API.</summary>
    public async Task RevokeApiKeyAsync(string key)
    {
        using var response = await Admin.DeleteAsync($"/admin/v1/keys/{key.Split('_')[1]}");
        response.EnsureSuccessStatusCode();
    }

    /// <summary>Creates a key for <paramref name="entity"/> through the admin API and returns the token.</summary>
    public async Task<string> CreateApiKeyAsync(string entity)
    {
        using var response = await Admin.PostAsJsonAsync("/admin/v1/keys", new { entity, name = "tests" });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonNode>())!["key"]!.GetValue<string>();
    }

    private async Task StartAsync(string name, ServiceLaunch launch)
    {
        _stopped.Remove(name);
        var service = await ServiceProcess.StartReadyAsync(name, ServiceProcess.DllOf(launch.Project), launch.Environment, LogDirectory, launch.Url, launch.Http2);
        _services[name] = (service, launch);
    }

    /// <summary>Kills a service with SIGKILL, as a crash or an OOM kill would, and starts it again on the same port.</summary>
    public async Task KillAndRestartAsync(string name)
    {
        var (service, launch) = _services[name];
        await service.DisposeAsync();
        await StartAsync(name, launch);
    }

    /// <summary>Stops a service (SIGKILL) until <see cref="StartAgainAsync"/>.</summary>
    public async Task StopAsync(string name)
    {
        await _services[name].Process.DisposeAsync();
        _stopped.Add(name);
    }

    public bool IsRunning(string name) => !_stopped.Contains(name);

    /// <summary>A running service's process, to measure it.</summary>
    public ServiceProcess ProcessOf(string name) => _services[name].Process;

    /// <summary>The running Projections instances that consume the tests' frame queue (a second replica may have joined).</summary>
    public IReadOnlyList<string> ProjectionsOnFramesQueue =>
        [.. _services.Keys.Where(name => name is "projections" or "projections-2" && IsRunning(name))];
    private readonly HashSet<string> _stopped = [];

    /// <summary>Starts a stopped service again, as it was first started.</summary>
    public Task StartAgainAsync(string name) => StartAsync(name, _services[name].Launch);

    /// <summary>Starts another Ingest on the same database and queues, with extra settings; returns its URL.</summary>
    public Task<string> StartIngestAsync(string name, string scheme, IReadOnlyDictionary<string, string> settings) =>
        StartAnotherAsync(name, "ingest", scheme, settings);

    /// <summary>Starts another instance of a service (as first started, by name) with extra settings; returns its URL.</summary>
    public async Task<string> StartAnotherAsync(string name, string like, string scheme, IReadOnlyDictionary<string, string> settings)
    {
        var (_, launch) = _services[like];
        var url = $"{scheme}://127.0.0.1:{FreePort()}";
        var environment = new Dictionary<string, string>(launch.Environment);
        foreach (var (key, value) in settings)
            environment[key] = value;
        await StartAsync(name, launch with { Url = url, Environment = environment });
        return url;
    }

    public Task StartSecondProjectionsAsync()
    {
        var (_, launch) = _services["projections"];
        return StartAsync("projections-2", launch with { Url = $"http://127.0.0.1:{FreePort()}" });
    }

    /// <summary>Restarts PostgreSQL or RabbitMQ through the launcher's own script.</summary>
    public static Task RestartServerAsync(string server) => ServerAsync("restart", server);

    /// <summary>Stops PostgreSQL or RabbitMQ until <see cref="StartServerAsync"/>.</summary>
    public static Task StopServerAsync(string server) => ServerAsync("stop", server);

    public static Task StartServerAsync(string server) => ServerAsync("start", server);

    private static async Task ServerAsync(string verb, string server)
    {
        var start = new System.Diagnostics.ProcessStartInfo("bash", [Path.Combine(RepoRoot, "deploy", "local", "servers.sh"), verb, server])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = System.Diagnostics.Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync() + await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"servers.sh {verb} {server} failed: {output}");
    }

    public async Task DisposeAsync()
    {
        foreach (var (name, (service, _)) in _services)
            if (!_stopped.Contains(name))
                await service.DisposeAsync();
        Query.Dispose();
        Admin.Dispose();
        NpgsqlConnection.ClearAllPools();
        await using var admin = new NpgsqlConnection(_adminConnection);
        await admin.OpenAsync();
        await using var drop = new NpgsqlCommand($"drop database if exists {_database} with (force)", admin);
        await drop.ExecuteNonQueryAsync();
    }

    /// <summary>
    /// A connection to this test run's database for checks below the API. Unpooled: the chaos test
    /// restarts PostgreSQL, and a pooled connection from before would be dead.
    /// </summary>
    public async Task<NpgsqlConnection> OpenDatabaseAsync()
    {
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(Database) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    /// <summary>Runs the <c>runstream</c> command (Runstream.Cli) as a process; returns its exit code and output.</summary>
    public static async Task<(int ExitCode, string Output)> RunCliAsync(IEnumerable<string> arguments, IReadOnlyDictionary<string, string> environment)
    {
        // From its own build output: the copy beside the tests resolves its dependencies against the tests'
        // (which take some from the ASP.NET Core framework the CLI does not run on).
        var cli = Path.Combine(RepoRoot, "sdk", "dotnet", "Runstream.Cli", "bin", Configuration, "net10.0", "Runstream.Cli.dll");
        var start = new System.Diagnostics.ProcessStartInfo("dotnet", [cli, .. arguments]) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var (key, value) in environment)
            start.Environment[key] = value;
        using var process = System.Diagnostics.Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output + await error);
    }

    /// <summary>A project name no other test uses.</summary>
    public static string NewProject(string prefix) => $"{prefix}-{Guid.NewGuid().ToString("N")[..8]}";

    public RunSettings Settings(string project) => new()
    {
        Project = project,
        Url = IngestUrl,
        ApiKey = ApiKey,
        FinishTimeout = TimeSpan.FromSeconds(30),
        SpoolDirectory = SpoolRoot,
        HeartbeatInterval = TimeSpan.FromMilliseconds(500),
        // Off unless a test is about them: console frames would come of whatever the test host prints,
        // system samples would add rows to counted history, and reading git for every run would slow tests that start many.
        CaptureConsole = false,
        RecordEnvironment = false,
        SystemMetricsInterval = TimeSpan.Zero,
    };

    public Task<JsonNode?> GetJsonAsync(string path) => QueryJson.GetAsync(Query, path);

    /// <summary>Like <see cref="GetJsonAsync"/>, but null while the Query service or its database is unavailable.</summary>
    public Task<JsonNode?> TryGetJsonAsync(string path) => QueryJson.TryGetAsync(Query, path);

    /// <summary>Polls the Query API until the JSON at <paramref name="path"/> satisfies <paramref name="until"/>.</summary>
    public Task<JsonNode?> WaitForJsonAsync(string path, Func<JsonNode?, bool> until, string what) =>
        Poll.UntilAsync(() => GetJsonAsync(path), until, what);

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Platform.sln")))
                return dir.FullName;
        throw new InvalidOperationException("Platform.sln not found above the test assembly.");
    }
}

[CollectionDefinition(Name)]
public sealed class StackCollection : ICollectionFixture<StackFixture>
{
    public const string Name = "stack";
}
