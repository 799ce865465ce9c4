using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Runstream.Cli;

/// <summary>
/// runstream keys create --entity E [--name N] | list [--entity E] | revoke ID
/// Talks to the Query service's admin API (<c>--url</c>, else <c>RUNSTREAM_QUERY_URL</c>, else
/// http://127.0.0.1:5102) with the admin key from <c>RUNSTREAM_ADMIN_KEY</c>.
/// </summary>
internal static class KeysCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        var (positional, options) = Split(args);
        var adminKey = Environment.GetEnvironmentVariable("RUNSTREAM_ADMIN_KEY");
        if (string.IsNullOrEmpty(adminKey))
            return Fail("set RUNSTREAM_ADMIN_KEY to the admin key (Security:AdminKey of the Query service).");
        using var http = new HttpClient
        {
            BaseAddress = new Uri(options.GetValueOrDefault("url") ?? Environment.GetEnvironmentVariable("RUNSTREAM_QUERY_URL") ?? "http://127.0.0.1:5102"),
            DefaultRequestHeaders = { Authorization = new AuthenticationHeaderValue("Bearer", adminKey) },
        };

        switch (positional)
        {
            case ["create"] when options.TryGetValue("entity", out var entity):
                using (var response = await http.PostAsJsonAsync("/admin/v1/keys", new { entity, name = options.GetValueOrDefault("name") ?? "" }))
                {
                    if (!response.IsSuccessStatusCode)
                        return Fail(await response.Content.ReadAsStringAsync());
                    var created = (await response.Content.ReadFromJsonAsync<JsonNode>())!;
                    Console.WriteLine($"created key {created["id"]} for entity {created["entity"]}; it is shown only now:");
                    Console.WriteLine(created["key"]!.GetValue<string>());
                    return 0;
                }
            case ["list"]:
                var query = options.TryGetValue("entity", out var only) ? $"?entity={Uri.EscapeDataString(only)}" : "";
                foreach (var key in (await http.GetFromJsonAsync<JsonArray>($"/admin/v1/keys{query}"))!)
                    Console.WriteLine($"{key!["id"]}\t{key["entity"]}\t{key["name"]}\t{key["createdAt"]}\t{(key["revokedAt"] is { } revoked ? $"revoked {revoked}" : "active")}");
                return 0;
            case ["revoke", var id]:
                using (var response = await http.DeleteAsync($"/admin/v1/keys/{Uri.EscapeDataString(id)}"))
                {
                    if (!response.IsSuccessStatusCode)
                        return Fail(await response.Content.ReadAsStringAsync());
                    Console.WriteLine($"revoked {id}; every instance refuses it within seconds.");
                    return 0;
                }
            default:
                return Fail("usage: runstream keys create --entity E [--name N] | list [--entity E] | revoke ID  [--url QUERY_URL]");
        }
    }

    internal static (string[] Positional, Dictionary<string, string> Options) Split(string[] args)
    {
        var positional = new List<string>();
        var options = new Dictionary<string, string>();
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i].StartsWith("--") && i + 1 < args.Length)
                options[args[i][2..]] = args[++i];
            else
                positional.Add(args[i]);
        }
        return ([.. positional], options);
    }

    private static int Fail(string message)
    {
        Console.Error.WriteLine($"runstream keys: {message}");
        return 2;
    }
}
