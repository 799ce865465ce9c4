namespace Runstream.Store.Metrics;

/// <summary>
/// One metric's points up to a step: how many, their last value (of the highest step, as last written), lowest and
/// highest (NaN left out; null when there is none) and mean. <see cref="Count"/> is 0 for a key the run logged only later.
/// </summary>
public sealed record MetricStepStatistics(string Key, long Count, double? Last, double? Min, double? Max, double? Mean);
