using Runstream.Contracts.V1;

namespace Runstream.Client.Capture;

/// <summary>An exception as the run page shows a failure: its type, its message and its stack as .NET prints it.</summary>
internal static class RunFailures
{
    /// <summary>Ingest's limits on a failure's fields (longer text is cut here, from the end of the stack).</summary>
    private const int MaxTypeLength = 1024;
    private const int MaxMessageLength = 64 * 1024;
    private const int MaxTracebackLength = 256 * 1024;

    public static RunFailure Of(Exception exception) => new()
    {
        Type = Cut(exception.GetType().FullName ?? exception.GetType().Name, MaxTypeLength),
        Message = Cut(exception.Message, MaxMessageLength),
        Traceback = Cut(exception.ToString(), MaxTracebackLength),
    };

    private static string Cut(string text, int limit) => (text.Length > limit ? text[..limit] : text).Replace('\0', '\uFFFD');
}
