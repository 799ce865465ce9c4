using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Runstream.IntegrationTests;

/// <summary>Reading the Query API as JSON, for the fixtures.</summary>
public static class QueryJson
{
    /// <summary>The JSON at <paramref name="path"/>; null for 404.</summary>
    public static async Task<JsonNode?> GetAsync(HttpClient query, string path)
    {
        using var response = await query.GetAsync(path);
        if (response.StatusCode == HttpStatusCode.NotFound)
            return null;
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonNode>();
    }

    /// <summary>Like <see cref="GetAsync"/>, but null while the Query service or its database is unavailable.</summary>
    public static async Task<JsonNode?> TryGetAsync(HttpClient query, string path)
    {
        try
        {
            return await GetAsync(query, path);
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }
}
