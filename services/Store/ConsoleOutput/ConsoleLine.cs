namespace Runstream.Store.ConsoleOutput;

/// <summary>A line a run wrote to its standard output (or, <see cref="Stderr"/>, its standard error).</summary>
public sealed record ConsoleLine(long TimeUnixMs, bool Stderr, string Text);
