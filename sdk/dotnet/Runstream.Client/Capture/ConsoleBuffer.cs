using Runstream.Contracts.V1;

namespace Runstream.Client.Capture;

/// <summary>
/// One run's captured console lines, sent as a console frame every <c>interval</c> or every
/// <see cref="MaxLinesPerFrame"/> lines, whichever comes first.
/// </summary>
internal sealed class ConsoleBuffer : IDisposable
{
    public const int MaxLinesPerFrame = 1000;

    private readonly Action<RunFrame> _send;
    private readonly Lock _gate = new();
    private readonly Timer _timer;
    private List<ConsoleLine> _lines = [];
    private bool _closed;

    public ConsoleBuffer(Action<RunFrame> send, TimeSpan interval)
    {
        _send = send;
        _timer = new Timer(_ => Flush(), null, interval, interval);
    }

    public void Add(ConsoleLine line)
    {
        bool full;
        lock (_gate)
        {
            if (_closed)
                return;
            _lines.Add(line);
            full = _lines.Count >= MaxLinesPerFrame;
        }
        if (full)
            Flush();
    }

    public void Flush()
    {
        List<ConsoleLine> lines;
        lock (_gate)
        {
            if (_lines.Count == 0)
                return;
            (lines, _lines) = (_lines, []);
            // Sent under the lock, so frames keep the order of their lines.
            try
            {
                _send(new RunFrame { Console = new ConsoleLogged { Lines = { lines } } });
            }
            catch (InvalidOperationException)
            {
                // The run finished meanwhile: console output after its end is not part of it.
            }
        }
    }

    /// <summary>Sends what is left; later lines are dropped (the run is finishing).</summary>
    public void Dispose()
    {
        _timer.Dispose();
        Flush();
        lock (_gate)
            _closed = true;
    }
}
