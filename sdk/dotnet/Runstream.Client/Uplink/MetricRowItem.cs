namespace Runstream.Client.Uplink;

/// <summary>One <c>Log</c> call waiting to be batched into a frame.</summary>
internal sealed record MetricRowItem(long Step, long TimeUnixMs, string[] Keys, double[] Values);
