// runstream sync <dir> [--url URL] [--timeout SECONDS]
//   Uploads every spooled run at or below <dir> (offline runs, or runs whose finish could not
//   reach Ingest). Safe to repeat: Ingest applies each frame once, and a synced run has nothing left to send.
// runstream keys create --entity E [--name N] | list [--entity E] | revoke ID [--url QUERY_URL]
//   Manages API keys through the Query service's admin API, with RUNSTREAM_ADMIN_KEY.
// runstream admin rebuild <read-model> [--url QUERY_URL] [--admin-key KEY]
//   Rebuilds a read model from the event store and prints its progress until done (exit 1 when it failed).
using Runstream.Cli;

return args switch
{
    ["sync", var directory, .. var options] => await SyncCommand.RunAsync(directory, options),
    ["keys", .. var rest] => await KeysCommand.RunAsync(rest),
    ["admin", "rebuild", .. var rest] => await RebuildCommand.RunAsync(rest),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: runstream sync <dir> [--url URL] [--timeout SECONDS]");
    Console.Error.WriteLine("       runstream keys create --entity E [--name N] | list [--entity E] | revoke ID [--url QUERY_URL]");
    Console.Error.WriteLine("       runstream admin rebuild run-details|metric-history|project-overview|artifact-collections [--url QUERY_URL] [--admin-key KEY]");
    return 2;
}
