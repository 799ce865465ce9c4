// runstream sync <dir> [--url URL] [--timeout SECONDS]
//   Uploads every spooled run at or below <dir> (offline runs, or runs whose finish could not
//   reach Ingest). Safe to repeat: Ingest applies each frame once, and a synced run has nothing left to send.
using Runstream.Cli;

return args switch
{
    ["sync", var directory, .. var options] => await SyncCommand.RunAsync(directory, options),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: runstream sync <dir> [--url URL] [--timeout SECONDS]");
    return 2;
}
