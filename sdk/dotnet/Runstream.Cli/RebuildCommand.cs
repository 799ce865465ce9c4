using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Runstream.Cli;

/// <summary>
/// runstream admin rebuild READ_MODEL [--url QUERY_URL] [--admin-key KEY]
/// Starts rebuilding a read model through the Query service's admin API (<c>--url</c>, else <c>RUNSTREAM_QUERY_URL</c>,
/// else http://127.0.0.1:5102; <c>--admin-key</c>, else <c>RUNSTREAM_ADMIN_KEY</c>) and prints a progress line a
/// second until it is done. Exits 0 when it succeeded, 1 when it failed, 2 when it could not be asked.
/// </summary>
internal static class RebuildCommand
{
    private static readonly TimeSpan PollEvery = TimeSpan.FromSeconds(1);

    public static async Task<int> RunAsync(string[] args)
    {
        var (positional, options) = KeysCommand.Split(args);
        if (positional is not [var readModel])
            return Fail("usage: runstream admin rebuild run-details|metric-history|project-overview|artifact-collections [--url QUERY_URL] [--admin-key KEY]");
        var adminKey = options.GetValueOrDefault("admin-key") ?? Environment.GetEnvironmentVariable("RUNSTREAM_ADMIN_KEY");
        if (string.IsNullOrEmpty(adminKey))
            return Fail("pass --admin-key or set RUNSTREAM_ADMIN_KEY to the admin key (Security:AdminKey of the Query service).");
        using var http = new HttpClient
        {
            BaseAddress = new Uri(options.GetValueOrDefault("url") ?? Environment.GetEnvironmentVariable("RUNSTREAM_QUERY_URL") ?? "http://127.0.0.1:5102"),
            DefaultRequestHeaders = { Authorization = new AuthenticationHeaderValue("Bearer", adminKey) },
        };

        string id;
        using (var response = await http.PostAsJsonAsync("/admin/v1/rebuilds", new { readModel }))
        {
            if (!response.IsSuccessStatusCode)
                return Fail(await response.Content.ReadAsStringAsync());
            id = (await response.Content.ReadFromJsonAsync<JsonNode>())!["id"]!.GetValue<string>();
        }
        Console.WriteLine($"rebuilding {readModel} ({id})");
        while (true)
        {
            await Task.Delay(PollEvery);
            var progress = (await http.GetFromJsonAsync<JsonNode>($"/admin/v1/rebuilds/{id}"))!;
            Console.WriteLine(Line(progress));
            switch (progress["state"]!.GetValue<string>())
            {
                case "succeeded":
                    return 0;
                case "failed":
                    Console.Error.WriteLine($"runstream admin rebuild: failed: {progress["error"]}");
                    return 1;
            }
        }
    }

    /// <summary>One progress line: state, events done of total, percent, rates, ETA.</summary>
    internal static string Line(JsonNode progress)
    {
        var invariant = CultureInfo.InvariantCulture;
        var line = string.Create(invariant, $"{progress["state"]}: {progress["eventsDone"]}/{progress["eventsTotal"]} events ({progress["percent"]}%), {progress["eventsPerSecond"]} events/s");
        if (progress["pointsPerSecond"] is { } points)
            line += string.Create(invariant, $", {progress["pointsDone"]} points, {points} points/s");
        if (progress["etaSeconds"] is { } eta && progress["state"]!.GetValue<string>() == "running")
            line += string.Create(invariant, $", ETA {eta}s");
        return line;
    }

    private static int Fail(string message)
    {
        Console.Error.WriteLine($"runstream admin rebuild: {message}");
        return 2;
    }
}
