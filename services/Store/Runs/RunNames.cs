namespace Runstream.Store.Runs;

/// <summary>
/// Names for runs started without one, W&amp;B-style: <c>adjective-noun-N</c>, where N counts the
/// project's named runs (so names are unique within the project) and the words come from the run's
/// id (so the same run is given the same words however often its start is applied).
/// </summary>
public static class RunNames
{
    private static readonly string[] Adjectives =
    [
        "amber", "ancient", "autumn", "bold", "brave", "bright", "calm", "celestial", "clever", "cosmic",
        "crimson", "crisp", "curious", "daring", "dashing", "dawn", "deep", "divine", "dry", "dusky",
        "eager", "earthy", "electric", "elegant", "fancy", "fast", "fearless", "fiery", "floral", "fluent",
        "fresh", "frosty", "gallant", "gentle", "giddy", "glad", "glorious", "golden", "graceful", "grand",
        "happy", "hardy", "hearty", "honest", "icy", "jolly", "keen", "kind", "lively", "lucky",
        "lunar", "magic", "mellow", "misty", "modest", "noble", "northern", "olive", "pleasant", "polar",
        "proud", "quiet", "radiant", "rare", "restful", "rich", "rosy", "royal", "rustic", "sage",
        "scarlet", "serene", "sharp", "silent", "silver", "smooth", "snowy", "solar", "spring", "stellar",
        "still", "stoic", "sunny", "swift", "tidy", "twilight", "upbeat", "valiant", "vibrant", "vital",
        "vivid", "warm", "wild", "wise", "witty", "young", "zany", "zesty", "azure", "breezy",
    ];

    private static readonly string[] Nouns =
    [
        "aurora", "bird", "blaze", "breeze", "brook", "bush", "butterfly", "cloud", "comet", "cosmos",
        "dawn", "deluge", "dew", "dream", "dune", "eon", "feather", "field", "fire", "firefly",
        "flower", "fog", "forest", "frog", "frost", "galaxy", "glade", "glitter", "grass", "hall",
        "haze", "hill", "lake", "leaf", "light", "lion", "meadow", "moon", "morning", "mountain",
        "night", "oasis", "ocean", "orbit", "paper", "pebble", "pine", "planet", "plasma", "pond",
        "puddle", "pulsar", "rain", "resonance", "river", "salad", "sea", "shadow", "shape", "silence",
        "sky", "smoke", "snow", "snowflake", "sound", "spaceship", "spark", "star", "starlight", "stone",
        "storm", "sun", "sunset", "surf", "thunder", "tree", "universe", "valley", "violet", "voice",
        "water", "wave", "wildflower", "wind", "wood", "yogurt", "totem", "vortex", "jazz", "haiku",
        "cherry", "capybara", "energy", "durian", "gorge", "monkey", "music", "microwave", "firebrand", "donkey",
    ];

    public static string Generate(string runId, long number)
    {
        // FNV-1a: stable across processes and versions, unlike string.GetHashCode.
        var hash = 2166136261u;
        foreach (var c in runId)
            hash = (hash ^ c) * 16777619u;
        return $"{Adjectives[hash % (uint)Adjectives.Length]}-{Nouns[(hash / (uint)Adjectives.Length) % (uint)Nouns.Length]}-{number}";
    }
}
