namespace Runstream.Store.Versioning;

/// <summary>
/// The name an event type is stored under (<c>mt_events.type</c>), fixed here rather than derived from the
/// C# class name, so renaming or moving a class never orphans the events already written.
/// </summary>
/// <param name="Name">The stable base name; version 1 is stored under it bare, as Marten named these events by default.</param>
/// <param name="Version">
/// The shape's version. Raised only for a change old events cannot be read into with plain JSON defaults; the
/// older names then keep being read through an upcaster (see <see cref="EventVersioning"/>).
/// </param>
public sealed record StoredEventName(Type EventType, string Name, int Version = 1)
{
    /// <summary>The stored name: <c>run_edited</c> for version 1, <c>run_edited_v2</c> after it (Marten's own schema-version suffix).</summary>
    public string Alias => AliasOf(Name, Version);

    public static string AliasOf(string name, int version) => version == 1 ? name : $"{name}_v{version}";
}
