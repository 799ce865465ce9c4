using Runstream.Contracts.Wire;

namespace Runstream.Client;

/// <summary>
/// The run's summary: the last logged value of each key, unless set explicitly
/// (<c>run.Summary["best_accuracy"] = 0.97</c>), which is sent to the server.
/// </summary>
public sealed class RunSummary(Action<IDictionary<string, double>> sendValues)
{
    private readonly Dictionary<string, double> _values = [];
    private readonly Lock _lock = new();

    public double this[string key]
    {
        get
        {
            lock (_lock)
                return _values.TryGetValue(key, out var value) ? value : throw new KeyNotFoundException($"The summary has no '{key}'.");
        }
        set
        {
            if (ReservedMetricKeys.Contains(key))
                throw new ArgumentException($"The summary key '{key}' is reserved: the history keeps each row's step and time itself.", nameof(key));
            lock (_lock)
                _values[key] = value;
            sendValues(new Dictionary<string, double> { [key] = value });
        }
    }

    public bool TryGetValue(string key, out double value)
    {
        lock (_lock)
            return _values.TryGetValue(key, out value);
    }

    public IReadOnlyDictionary<string, double> ToDictionary()
    {
        lock (_lock)
            return new Dictionary<string, double>(_values);
    }

    internal void Observe(string[] keys, double[] values)
    {
        lock (_lock)
            for (var i = 0; i < keys.Length; i++)
                _values[keys[i]] = values[i];
    }
}
