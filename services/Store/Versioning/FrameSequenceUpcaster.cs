using System.Data.Common;
using Marten;
using Marten.Services.Json.Transformations;
using Runstream.Store.Runs;

namespace Runstream.Store.Versioning;

/// <summary>
/// Reads a version 1 frame event that the first release wrote without its sequence number. Frames carried
/// their sequence from the start, but the events made of them did not: each frame became exactly one event
/// appended at the stream version equal to its sequence, so the version was the sequence. When the sequence
/// moved into the event (so the server could add events of its own), the old events kept their name and read
/// with sequence 0, the mark of an edit from outside the run: a run's last sequence, its metric and media
/// history's frame order, and a moved run's copied events would all lose it. This upcaster gives such an event
/// its stream version back as its sequence, so everything downstream only ever sees events with one.
/// </summary>
/// <remarks>
/// An upcaster sees only the stored JSON, but the sequence lives in the row's <c>version</c> column, so this
/// uses Marten's reader-level upcaster contract and reads that column by name from the row being resolved
/// (Marten selects every <c>mt_events</c> column and reads rows buffered, not sequentially). Ingest refuses
/// sequence numbers below 1 for these frames, so sequence 0 here can only mean the field was missing. Events
/// written since read through unchanged: deserialized once, as without an upcaster.
/// </remarks>
public sealed class FrameSequenceUpcaster<TEvent>(string eventTypeName, Func<TEvent, long, TEvent> withSequence) : IEventUpcaster
    where TEvent : class, IFrameEvent
{
    private const string VersionColumn = "version";

    public string EventTypeName => eventTypeName;

    public Type EventType => typeof(TEvent);

    public object FromDbDataReader(ISerializer serializer, DbDataReader dbDataReader, int index) =>
        WithSequence(serializer.FromJson<TEvent>(dbDataReader, index), dbDataReader);

    public async ValueTask<object> FromDbDataReaderAsync(ISerializer serializer, DbDataReader dbDataReader, int index, CancellationToken ct) =>
        WithSequence(await serializer.FromJsonAsync<TEvent>(dbDataReader, index, ct), dbDataReader);

    private TEvent WithSequence(TEvent stored, DbDataReader row) =>
        stored.Sequence != 0 ? stored : withSequence(stored, row.GetFieldValue<long>(row.GetOrdinal(VersionColumn)));
}
