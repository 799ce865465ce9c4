namespace Runstream.Contracts.Wire;

/// <summary>
/// Keys the history itself uses for every row (its step, its time, the run's age). A metric of the
/// same name would overwrite them, so Ingest refuses them and both SDKs drop them from <c>log</c>.
/// </summary>
public static class ReservedMetricKeys
{
    public static readonly IReadOnlySet<string> All = new HashSet<string>(["_step", "_timestamp", "_runtime"], StringComparer.Ordinal);

    /// <summary>Cheap on the SDK's hot path: only a key starting with '_' is looked up.</summary>
    public static bool Contains(string key) => key.Length > 0 && key[0] == '_' && All.Contains(key);
}
