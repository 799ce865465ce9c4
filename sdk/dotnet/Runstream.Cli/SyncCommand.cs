using System.Globalization;
using Runstream.Client;
using Runstream.Client.Spool;

namespace Runstream.Cli;

internal static class SyncCommand
{
    public static async Task<int> RunAsync(string directory, string[] options)
    {
        string? url = null;
        var timeout = TimeSpan.FromSeconds(120);
        for (var i = 0; i + 1 < options.Length; i += 2)
        {
            switch (options[i])
            {
                case "--url": url = options[i + 1]; break;
                case "--timeout": timeout = TimeSpan.FromSeconds(double.Parse(options[i + 1], CultureInfo.InvariantCulture)); break;
                default:
                    Console.Error.WriteLine($"runstream sync: unknown option '{options[i]}' (use --url or --timeout).");
                    return 2;
            }
        }
        if (!Directory.Exists(directory))
        {
            Console.Error.WriteLine($"runstream sync: no directory '{directory}'.");
            return 2;
        }

        var settings = new RunSettings { Project = "sync", Url = url, FinishTimeout = timeout };
        var incomplete = 0;
        var runs = 0;
        await foreach (var result in SpoolSync.SyncAllAsync(directory, settings))
        {
            runs++;
            var status = result.InUse ? "skipped: in use by a run still logging (or another sync)"
                : result.Unacknowledged == 0 ? "synced" : $"{result.Unacknowledged} frame(s) still unsent";
            Console.WriteLine($"{result.Project}/{result.RunId}: {result.Uploaded} frame(s) uploaded, {status}");
            if (result.Unacknowledged > 0 || result.InUse)
                incomplete++;
        }
        Console.WriteLine(runs == 0 ? $"no spooled runs under {directory}" : $"{runs} run(s), {incomplete} incomplete");
        return incomplete == 0 ? 0 : 1;
    }
}
