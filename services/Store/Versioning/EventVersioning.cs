using Marten.Services.Json.Transformations;
using Runstream.Store.Runs;

namespace Runstream.Store.Versioning;

/// <summary>
/// Registers every event type under its fixed, versioned name (<see cref="StoredEventNames"/>) and the upcasters
/// that read the older shapes still stored, so projections and readers only ever see the current records.
/// </summary>
public static class EventVersioning
{
    public static Marten.StoreOptions AddVersionedEvents(this Marten.StoreOptions store)
    {
        // Upcasters first: Marten resolves a stored name to the first reader registered for it, and an
        // upcaster may claim a name that is still written (version 1 of a type whose older events need one).
        store.Events.Upcast([.. Upcasters]);
        foreach (var name in StoredEventNames.All)
        {
            store.Events.AddEventType(name.EventType);
            store.Events.MapEventType(name.EventType, name.Alias);
        }
        return store;
    }

    /// <summary>
    /// Every upcaster, each claiming one stored name. A name still written (version 1 here) may have one when
    /// its older events need more than JSON defaults; a retired name (a version before the current one) must
    /// have one, or its events no longer read.
    /// </summary>
    public static IReadOnlyList<IEventUpcaster> Upcasters { get; } =
    [
        // The first release's frame events, written before they carried their sequence (see FrameSequenceUpcaster).
        FrameSequence<RunStarted>((e, sequence) => e with { Sequence = sequence }),
        FrameSequence<RunConfigUpdated>((e, sequence) => e with { Sequence = sequence }),
        FrameSequence<MetricsLogged>((e, sequence) => e with { Sequence = sequence }),
        FrameSequence<SummaryUpdated>((e, sequence) => e with { Sequence = sequence }),
        FrameSequence<ArtifactLogged>((e, sequence) => e with { Sequence = sequence }),
        FrameSequence<RunFinished>((e, sequence) => e with { Sequence = sequence }),
    ];

    private static FrameSequenceUpcaster<TEvent> FrameSequence<TEvent>(Func<TEvent, long, TEvent> withSequence) where TEvent : class, IFrameEvent =>
        new(NameOf<TEvent>(version: 1), withSequence);

    /// <summary>The stored name of a version of an event type, from the one list of names.</summary>
    public static string NameOf<TEvent>(int version) =>
        StoredEventName.AliasOf(StoredEventNames.All.Single(n => n.EventType == typeof(TEvent)).Name, version);
}
