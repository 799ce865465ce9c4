using Runstream.Contracts.V1;
using Runstream.Contracts.Wire;

namespace Runstream.Client;

/// <summary>
/// The run's summary: the last logged value of each key, unless set explicitly
/// (<c>run.Summary["best_accuracy"] = 0.97</c>, or a string or a boolean with <see cref="Set(string, string)"/>),
/// which is sent to the server. Locally it holds the numbers; the server's summary holds all three
/// and applies the run's metric definitions.
/// </summary>
public sealed class RunSummary(Action<SummaryUpdated> send)
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
            CheckKey(key);
            lock (_lock)
                _values[key] = value;
            send(new SummaryUpdated { Values = { [key] = value } });
        }
    }

    /// <summary>Sets a string summary value ("resnet50", a checkpoint's path).</summary>
    public void Set(string key, string value)
    {
        CheckKey(key);
        ArgumentNullException.ThrowIfNull(value);
        lock (_lock)
            _values.Remove(key);
        send(new SummaryUpdated { Strings = { [key] = value } });
    }

    /// <summary>Sets a boolean summary value (converged, early-stopped).</summary>
    public void Set(string key, bool value)
    {
        CheckKey(key);
        lock (_lock)
            _values.Remove(key);
        send(new SummaryUpdated { Booleans = { [key] = value } });
    }

    private static void CheckKey(string key)
    {
        if (ReservedMetricKeys.Contains(key))
            throw new ArgumentException($"The summary key '{key}' is reserved: the history keeps each row's step and time itself.", nameof(key));
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
