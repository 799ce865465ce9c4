using JasperFx;
using JasperFx.Events;
using Marten;
using Runstream.Store.Live;
using Runstream.Store.Runs;

namespace Runstream.Query.Runs;

/// <summary>
/// Moves a run to another project of its entity: its events are copied to a stream under the new
/// project's key (the read models there are projected from them, inline, in the same transaction),
/// and its old stream gets a <see cref="RunMoved"/>, so both projects' lists and counts change at once.
/// </summary>
public static class RunMoving
{
    /// <summary>Null when there is no such run.</summary>
    public static async Task<MoveResult?> MoveAsync(IDocumentStore store, RunKey source, string targetProject, string movedBy, CancellationToken cancellation)
    {
        await using var session = store.LightweightSession();
        var run = await session.LoadAsync<RunDetails>(source.ToString(), cancellation);
        if (run is null)
            return null;
        if (RunMove.Refusal(run) is { } refusal)
            return new(null, refusal);
        var target = source with { Project = targetProject };
        if (await session.LoadAsync<RunDetails>(target.ToString(), cancellation) is not null)
            return new(null, $"Project '{targetProject}' already has a run '{source.RunId}' (or had one that moved away).");

        var events = await session.Events.FetchStreamAsync(source.ToString(), token: cancellation);
        RunStreams.Append(session, target.ToString(), null, RunMove.EventsFor(events.Select(e => e.Data), targetProject));
        RunStreams.Append(session, source.ToString(), run.StreamVersion, [new RunMoved(targetProject, run.State, movedBy, DateTimeOffset.UtcNow)]);
        RunChanges.Notify(session, [source.ToString(), target.ToString()]);
        try
        {
            await session.SaveChangesAsync(cancellation);
        }
        catch (Exception e) when (e is ConcurrencyException or EventStreamUnexpectedMaxEventIdException or ExistingStreamIdCollisionException)
        {
            return new(null, $"Run '{source.RunId}' changed while it was being moved (or '{targetProject}' got a run of that id); try again.");
        }
        return new(await session.LoadAsync<RunDetails>(target.ToString(), cancellation), null);
    }
}
