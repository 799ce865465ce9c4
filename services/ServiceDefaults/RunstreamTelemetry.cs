using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Runstream.ServiceDefaults;

/// <summary>Runstream's own activity source and meter, shared by the services.</summary>
public static class RunstreamTelemetry
{
    public const string SourceName = "Runstream";
    public static readonly ActivitySource Source = new(SourceName);
    public static readonly Meter Meter = new(SourceName);
}
