using JasperFx;
using Marten;
using JasperFx.Events;
using Runstream.Store.Live;
using Runstream.Store.Runs;

namespace Runstream.Query.Runs;

/// <summary>
/// Edits from the dashboard become events in the run's stream (so the run keeps the history of its
/// name, tags and notes), appended directly: the run's details update in the same transaction, and the
/// answer already shows the edit. Projections appends with an expected version, so an edit that
/// lands between its read and its write makes that batch retry, never overwrite.
/// </summary>
public static class RunEditing
{
    public static async Task<RunDetails?> ApplyAsync(IDocumentStore store, string runKey, RunEdit edit, CancellationToken cancellation)
    {
        for (var attempt = 1; ; attempt++)
        {
            await using var session = store.LightweightSession();
            var run = await session.LoadAsync<RunDetails>(runKey, cancellation);
            if (run is null)
                return null;
            RunStreams.Append(session, runKey, run.StreamVersion, [new RunEdited(0, edit.Notes, edit.Tags, DateTimeOffset.UtcNow, edit.Name)]);
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
