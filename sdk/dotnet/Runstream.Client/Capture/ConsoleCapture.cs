using Runstream.Contracts.V1;

namespace Runstream.Client.Capture;

/// <summary>
/// Tees the process's standard output and error to the runs that capture them: every line still
/// reaches the terminal, and also each attached run. Installed once per process and left in place
/// (a run that ends detaches; another writer set meanwhile is not undone).
/// </summary>
internal static class ConsoleCapture
{
    private static readonly Lock Gate = new();
    private static List<ConsoleBuffer> _buffers = [];
    private static bool _installed;

    public static IDisposable Attach(ConsoleBuffer buffer)
    {
        lock (Gate)
        {
            if (!_installed)
            {
                Console.SetOut(new LineTeeWriter(Console.Out, ConsoleStream.Stdout));
                Console.SetError(new LineTeeWriter(Console.Error, ConsoleStream.Stderr));
                _installed = true;
            }
            _buffers = [.. _buffers, buffer];
        }
        return new Detachment(buffer);
    }

    internal static void Publish(ConsoleLine line)
    {
        // Copy-on-write: publishing takes no lock, so a run's own warnings written from inside a buffer never deadlock.
        foreach (var buffer in Volatile.Read(ref _buffers))
            buffer.Add(line);
    }

    private sealed class Detachment(ConsoleBuffer buffer) : IDisposable
    {
        public void Dispose()
        {
            lock (Gate)
                _buffers = [.. _buffers.Where(b => b != buffer)];
        }
    }
}
