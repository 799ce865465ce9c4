using System.Text;
using Runstream.Contracts.V1;

namespace Runstream.Client.Capture;

/// <summary>
/// Writes through to the console it wraps, and hands each complete line to <see cref="ConsoleCapture"/>.
/// A carriage return without a line feed starts the line over, as a terminal shows a progress bar:
/// only its last state is kept.
/// </summary>
internal sealed class LineTeeWriter(TextWriter inner, ConsoleStream stream) : TextWriter
{
    /// <summary>Lines are cut here (the server's limit too), with a marker that says how much was cut.</summary>
    public const int MaxLineLength = 10_000;

    private readonly StringBuilder _line = new();
    private readonly Lock _gate = new();
    private int _cut;
    private bool _return;

    public override Encoding Encoding => inner.Encoding;

    public override void Write(char value)
    {
        inner.Write(value);
        lock (_gate)
            Take(value);
    }

    public override void Write(string? value)
    {
        inner.Write(value);
        if (value is null)
            return;
        lock (_gate)
            foreach (var c in value)
                Take(c);
    }

    public override void Write(char[] buffer, int index, int count)
    {
        inner.Write(buffer, index, count);
        lock (_gate)
            for (var i = index; i < index + count; i++)
                Take(buffer[i]);
    }

    public override void WriteLine(string? value)
    {
        Write(value);
        Write(CoreNewLine);
    }

    public override void Flush() => inner.Flush();

    private void Take(char c)
    {
        // "\r\n" ends the line at the '\n'; a '\r' followed by anything else redraws it.
        if (_return && c != '\n')
        {
            _line.Clear();
            _cut = 0;
        }
        _return = false;
        switch (c)
        {
            case '\n':
                var text = _cut > 0 ? $"{_line} … [line cut: {_cut:N0} more characters]" : _line.ToString();
                _line.Clear();
                _cut = 0;
                ConsoleCapture.Publish(new ConsoleLine { TimeUnixMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), Stream = stream, Text = text });
                break;
            case '\r':
                _return = true;
                break;
            default:
                if (_line.Length < MaxLineLength)
                    _line.Append(c);
                else
                    _cut++;
                break;
        }
    }
}
