namespace Runstream.Store.Runs;

/// <summary>How the run summarises and charts a metric (<see cref="MetricSummaries"/>; the step metric is its x axis).</summary>
public sealed record MetricDefinition(string? Summary, string? StepMetric);
