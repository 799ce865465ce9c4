using System.Text.Json;
using System.Text.Json.Nodes;

namespace Runstream.IntegrationTests.EventSchema;

/// <summary>
/// The oldest stored shape of one stored event name, kept in <c>EventFixtures/&lt;name&gt;.json</c>: the JSON body
/// exactly as the code that first wrote it stored it (<see cref="FirstWritten"/> is that commit), and what it must
/// read as today, written as the store's serializer writes the current record.
/// </summary>
/// <param name="StreamVersion">The version the event is stored at; some old shapes take values from it.</param>
public sealed record EventFixture(string Name, string FirstWritten, string DotnetType, long StreamVersion, JsonObject Stored, JsonObject Reads)
{
    public static string Folder { get; } = FindFolder();

    public static IReadOnlyList<string> Names() =>
        [.. Directory.EnumerateFiles(Folder, "*.json").Select(Path.GetFileNameWithoutExtension).OfType<string>().Order(StringComparer.Ordinal)];

    public static EventFixture Load(string name)
    {
        var file = JsonNode.Parse(File.ReadAllText(Path.Combine(Folder, $"{name}.json")))!.AsObject();
        return new EventFixture(name, Text(file, "firstWritten"), Text(file, "dotnetType"), file["streamVersion"]!.GetValue<long>(),
            file["stored"]!.AsObject(), file["reads"]!.AsObject());
    }

    public string StoredJson => Stored.ToJsonString(new JsonSerializerOptions { WriteIndented = false });

    /// <summary>Read from the source tree, not copied to the build output: the fixtures are the record, kept where they are reviewed.</summary>
    private static string FindFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var folder = Path.Combine(dir.FullName, "tests", "Runstream.IntegrationTests", "EventFixtures");
            if (Directory.Exists(folder))
                return folder;
        }
        throw new DirectoryNotFoundException("No tests/Runstream.IntegrationTests/EventFixtures above the test binaries.");
    }

    private static string Text(JsonObject file, string key) =>
        file[key]?.GetValue<string>() ?? throw new InvalidDataException($"The event fixture has no '{key}'.");
}
