namespace Runstream.Store.Runs;

/// <summary>
/// The limits on names, tags and notes, shared by Ingest (frames) and Query (edits), so a run
/// cannot be given from the dashboard what its own frames could not carry.
/// Each check returns a message that names the field and the limit, or null.
/// </summary>
public static class RunTextRules
{
    public const int MaxNameLength = 128;
    public const int MaxKeyLength = 256;
    public const int MaxTags = 100;
    public const int MaxTextLength = 64 * 1024;

    /// <summary>Project, run, artifact and alias names: letters, digits, '-', '_' and '.', 1 to 128 characters.</summary>
    public static string? NameProblem(string field, string value)
    {
        if (value.Length == 0)
            return $"{field} is empty.";
        if (value.Length > MaxNameLength)
            return $"{field} is {value.Length} characters long; the limit is {MaxNameLength}.";
        foreach (var c in value)
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
                return $"{field} '{value}' contains '{c}'; use letters, digits, '-', '_' and '.'.";
        return value is "." or ".." ? $"{field} cannot be '{value}'." : null;
    }

    /// <summary>Metric keys and tags: 1 to 256 characters, no control characters.</summary>
    public static string? KeyProblem(string field, string key)
    {
        if (key.Length == 0)
            return $"{field} is empty.";
        if (key.Length > MaxKeyLength)
            return $"{field} is {key.Length} characters long; the limit is {MaxKeyLength}.";
        foreach (var c in key)
            if (char.IsControl(c))
                return $"{field} contains the control character U+{(int)c:X4}.";
        return null;
    }

    /// <summary>Free text (names, notes): PostgreSQL's jsonb cannot hold U+0000.</summary>
    public static string? TextProblem(string field, string value) =>
        value.Contains('\0') ? $"{field} contains the character U+0000, which cannot be stored." : null;

    /// <summary>JSON text: U+0000 neither raw nor escaped (<c>\u0000</c>) inside its strings.</summary>
    public static string? JsonTextProblem(string field, string json) =>
        TextProblem(field, json) ?? (json.Contains("\\u0000", StringComparison.OrdinalIgnoreCase)
            ? $"{field} contains the escaped character \\u0000 (U+0000), which cannot be stored."
            : null);

    /// <summary>A run's display name: 1 to 256 characters, no control characters (its id stays the run's address).</summary>
    public static string? DisplayNameProblem(string field, string name) => KeyProblem(field, name);

    /// <summary>Notes, tags and the name as a run starts with them or as they are edited later; returns (field, message).</summary>
    public static (string Field, string Message)? EditProblem(string prefix, string? notes, IReadOnlyList<string>? tags, string? name = null)
    {
        if (name is not null && DisplayNameProblem($"{prefix}.name", name) is { } nameProblem)
            return ($"{prefix}.name", nameProblem);
        if (notes is not null && notes.Length > MaxTextLength)
            return ($"{prefix}.notes", $"{prefix}.notes is {notes.Length} characters long; the limit is {MaxTextLength}.");
        if (notes is not null && TextProblem($"{prefix}.notes", notes) is { } nul)
            return ($"{prefix}.notes", nul);
        if (tags is null)
            return null;
        if (tags.Count > MaxTags)
            return ($"{prefix}.tags", $"{prefix}.tags has {tags.Count} tags; the limit is {MaxTags}.");
        for (var i = 0; i < tags.Count; i++)
            if (KeyProblem($"{prefix}.tags[{i}]", tags[i]) is { } problem)
                return ($"{prefix}.tags[{i}]", problem);
        return null;
    }
}
