namespace Runstream.Store.Media;

/// <summary>
/// What one media value and one run may hold. Ingest refuses a frame over a per-value limit; Projections
/// refuses media frames once the run holds <see cref="MaxBytesPerRun"/> (only it sees the run's total in order).
/// Documented in docs/media.md.
/// </summary>
public static class MediaLimits
{
    public const long MaxImagePixels = 4096L * 4096;
    public const long MaxImageBytes = 16L * 1024 * 1024;
    public const int MaxImagesPerValue = 256;
    public const int MaxTableRows = 10_000;
    public const int MaxTableColumns = 256;
    public const long MaxTableBytes = 32L * 1024 * 1024;
    public const int MaxHistogramBins = 512;
    public const long MaxBytesPerRun = 10L * 1024 * 1024 * 1024;

    public static readonly string[] ImageFormats = ["png", "jpeg", "gif"];

    /// <summary>Why a media frame of <paramref name="frameBytes"/> does not fit a run that holds <paramref name="runBytes"/>, or null.</summary>
    public static string? RunBytesProblem(long runBytes, long frameBytes, long limit = MaxBytesPerRun) =>
        runBytes + frameBytes <= limit ? null
        : $"media: the run holds {runBytes:N0} bytes of media and this frame adds {frameBytes:N0}; the limit is {limit:N0} bytes per run.";
}
