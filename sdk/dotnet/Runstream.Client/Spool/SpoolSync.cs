using Runstream.Client.Uplink;

namespace Runstream.Client.Spool;

/// <summary>What syncing one spooled run did.</summary>
/// <param name="InUse">The spool was in use (its run still logging, or another sync): left alone.</param>
public sealed record SyncResult(string Project, string RunId, long Uploaded, long Unacknowledged, bool InUse = false);

/// <summary>Uploads spooled runs after the fact: offline runs, or runs whose finish could not reach Ingest.</summary>
public static class SpoolSync
{
    /// <summary>
    /// Sends every unacknowledged frame of every run spool at or below <paramref name="directory"/>.
    /// Repeating it changes nothing: a synced run has nothing left to send, and Ingest applies each frame once.
    /// </summary>
    public static async IAsyncEnumerable<SyncResult> SyncAllAsync(string directory, RunSettings settings)
    {
        using var ingest = new IngestConnection(settings);
        foreach (var path in RunSpool.FindAll(directory))
        {
            if (TryOpen(path) is not { } spool)
            {
                // A spool's folder is <root>/<project>/<run id>.
                yield return new SyncResult(Path.GetFileName(Path.GetDirectoryName(path))!, Path.GetFileName(path), 0, 0, InUse: true);
                continue;
            }
            using var opened = spool;
            var before = spool.Acked;
            if (spool.Acked < spool.LastSequence)
            {
                var sender = new SpoolSender(spool, ingest, settings);
                sender.Complete();
                using var stop = new CancellationTokenSource(settings.FinishTimeout);
                var sending = sender.RunAsync(stop.Token);
                await sender.WaitForAcksAsync(settings.FinishTimeout);
                await stop.CancelAsync();
                await sending;
            }
            yield return new SyncResult(spool.Info.Project, spool.Info.RunId, spool.Acked - before, spool.LastSequence - spool.Acked);
        }
    }

    private static RunSpool? TryOpen(string path)
    {
        try
        {
            return RunSpool.Open(path);
        }
        catch (SpoolInUseException)
        {
            return null;
        }
    }
}
