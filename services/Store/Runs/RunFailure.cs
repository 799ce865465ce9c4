namespace Runstream.Store.Runs;

/// <summary>The exception that ended a run: its type, message and stack as the runtime printed them.</summary>
public sealed record RunFailure(string Type, string Message, string Traceback);
