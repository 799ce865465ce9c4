using System.Text.Json.Nodes;
using Npgsql;
using Runstream.Client;

namespace Runstream.IntegrationTests;

/// <summary>A running Runstream, as a test's workload sees it: where runs go, the Query API, the database.</summary>
public interface IRunstreamStack
{
    /// <summary>Entity the stack's API key belongs to.</summary>
    string Entity { get; }

    /// <summary>Settings for a run of <paramref name="project"/> sent to this stack's Ingest.</summary>
    RunSettings Settings(string project);

    /// <summary>The JSON at a Query API path; null for 404.</summary>
    Task<JsonNode?> GetJsonAsync(string path);

    /// <summary>Like <see cref="GetJsonAsync"/>, but null while Query or its database is unavailable.</summary>
    Task<JsonNode?> TryGetJsonAsync(string path);

    /// <summary>An unpooled connection to the stack's database, for checks below the API.</summary>
    Task<NpgsqlConnection> OpenDatabaseAsync();
}
