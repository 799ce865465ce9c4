using System.Text.Json.Nodes;

namespace Runstream.IntegrationTests;

public static class ServerSentEvents
{
    /// <summary>Reads the stream up to the next event named <paramref name="name"/> and returns its data.</summary>
    public static async Task<JsonNode> NextAsync(StreamReader reader, string name, CancellationToken cancellation)
    {
        string? line, current = null;
        while ((line = await reader.ReadLineAsync(cancellation)) is not null)
        {
            if (line.StartsWith("event: "))
                current = line["event: ".Length..];
            else if (line.StartsWith("data: ") && current == name)
                return JsonNode.Parse(line["data: ".Length..])!;
        }
        throw new EndOfStreamException($"the event stream ended before a '{name}' event");
    }
}
