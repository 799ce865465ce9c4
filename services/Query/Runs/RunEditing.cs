using JasperFx;
using Marten;
using JasperFx.Events;
using Runstream.Store.Live;
using Runstream.Store.Runs;

namespace Runstream.Query.Runs;

/// <summary>
/// Edits from the dashboard become events in the run's stream (so the run keeps the history of its
/// name, tags, notes and deletion), appended directly: the run's details update in the same
/// transaction, and the answer already shows the edit. Projections appends with an expected version,
/// so an edit that lands between its read and its write makes that batch retry, never overwrite.
/// </summary>
public static class RunEditing
{
    public static Task<RunDetails?> ApplyAsync(IDocumentStore store, string runKey, RunEdit edit, string editedBy, CancellationToken cancellation) =>
        AppendAsync(store, runKey, _ => new RunEdited(0, edit.Notes, edit.Tags, DateTimeOffset.UtcNow, edit.Name, editedBy), cancellation);

    /// <summary>
    /// Appends the event <paramref name="change"/> makes of the run as it stands (none: nothing to do)
    /// and answers the run after it; null when there is no such run.
    /// </summary>
    public static async Task<RunDetails?> AppendAsync(IDocumentStore store, string runKey, Func<RunDetails, object?> change, CancellationToken cancellation)
    {
        for (var attempt = 1; ; attempt++)
        {
            await using var session = store.LightweightSession();
            var run = await session.LoadAsync<RunDetails>(runKey, cancellation);
            if (run is null)
                return null;
            if (change(run) is not { } @event)
                return run;
            RunStreams.Append(session, runKey, run.StreamVersion, [@event]);
            RunChanges.Notify(session, run.Id);
            try
            {
                await session.SaveChangesAsync(cancellation);
                return await session.LoadAsync<RunDetails>(runKey, cancellation);
            }
            catch (Exception e) when (attempt < 5 && e is ConcurrencyException or EventStreamUnexpectedMaxEventIdException)
            {
                // The run's own frames were applied meanwhile; read it again and append after them.
            }
        }
    }
}
