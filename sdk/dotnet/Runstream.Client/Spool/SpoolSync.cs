using Runstream.Client.Uplink;

namespace Runstream.Client.Spool;

/// <summary>What syncing one spooled run did.</summary>
public sealed record SyncResult(string Project, string RunId, long Uploaded, long Unacknowledged);

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
            using var spool = RunSpool.Open(path);
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
}
