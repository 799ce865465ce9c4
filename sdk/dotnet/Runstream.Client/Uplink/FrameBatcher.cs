using Runstream.Contracts.V1;

namespace Runstream.Client.Uplink;

/// <summary>Gathers metric rows into one compact frame: each key named once, values packed per row.</summary>
internal sealed class FrameBatcher
{
    private readonly Dictionary<string, uint> _keyIndexes = new(StringComparer.Ordinal);
    private MetricsLogged _metrics = new();

    public int RowCount => _metrics.Rows.Count;

    public void Add(MetricRowItem item)
    {
        var row = new MetricRow { Step = item.Step, TimeUnixMs = item.TimeUnixMs };
        for (var i = 0; i < item.Keys.Length; i++)
        {
            if (!_keyIndexes.TryGetValue(item.Keys[i], out var index))
            {
                index = (uint)_metrics.Keys.Count;
                _keyIndexes[item.Keys[i]] = index;
                _metrics.Keys.Add(item.Keys[i]);
            }
            row.KeyIndexes.Add(index);
            row.Values.Add(item.Values[i]);
        }
        _metrics.Rows.Add(row);
    }

    /// <summary>The frame of the rows so far, and a fresh batch; null when there are none.</summary>
    public RunFrame? Take()
    {
        if (_metrics.Rows.Count == 0)
            return null;
        var frame = new RunFrame { Metrics = _metrics };
        _metrics = new MetricsLogged();
        _keyIndexes.Clear();
        return frame;
    }
}
