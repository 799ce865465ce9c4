using Marten;

namespace Runstream.Store.Runs;

/// <summary>The one way events reach a run's stream.</summary>
public static class RunStreams
{
    /// <summary>
    /// Appends <paramref name="events"/> to the run's stream, starting it when <paramref name="streamVersion"/>
    /// is null (no such run yet). The append names the stream version the caller read, so a concurrent
    /// writer makes this save fail (and be retried) instead of both applying. Live listeners are told
    /// on commit by the caller, once per transaction (<see cref="Live.RunChanges"/>).
    /// </summary>
    public static void Append(IDocumentSession session, string runKey, long? streamVersion, IReadOnlyList<object> events)
    {
        if (streamVersion is not { } version)
            session.Events.StartStream<RunDetails>(runKey, events);
        else
            session.Events.Append(runKey, version + events.Count, events);
    }
}
