using System.Collections.Concurrent;
using System.Net;
using Runstream.Client;
using Runstream.IntegrationTests.Otlp;

namespace Runstream.IntegrationTests;

/// <summary>
/// OpenTelemetry end to end: an Ingest and a Projections export their spans and metrics over OTLP
/// (HTTP, protobuf) to a receiver in this test; the spans of one frame, from Ingest through the bus
/// into Projections and its SQL, share one trace id, and the pipeline's metrics arrive.
/// </summary>
[Collection(StackCollection.Name)]
public sealed class TracingTests(StackFixture stack)
{
    [Fact]
    public async Task A_frame_is_one_trace_from_ingest_through_the_bus_to_the_database()
    {
        using var collector = new OtlpReceiver();
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var settings = new Dictionary<string, string>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = collector.Url,
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "200",
            ["OTEL_METRIC_EXPORT_INTERVAL"] = "500",
            // Queues of their own, so these two instances (and no other) carry the traced frames.
            ["Ingest__Queue"] = $"run-frames-traced-{suffix}",
            ["Frames__Queue"] = $"run-frames-traced-{suffix}",
        };
        await stack.StartAnotherAsync("projections-traced", "projections", "http", settings);
        var ingest = await stack.StartAnotherAsync("ingest-traced", "ingest", "http", settings);

        var project = StackFixture.NewProject("traced");
        await using (var run = await Experiment.InitAsync(stack.Settings(project) with { Url = ingest }))
            run.Log(new Dictionary<string, double> { ["loss"] = 1 });

        // The trace of Ingest's span for a frame, followed into Projections: the consumer, Marten, the SQL.
        // (Spans arrive in export batches, so the test waits for the whole chain.)
        await Poll.UntilAsync(() => Task.FromResult(collector.Spans.ToArray()), all => all
            .Where(s => s.Service == "runstream-ingest" && s.Span.Name == "ingest frame")
            .Select(frame => all.Where(s => s.TraceId == frame.TraceId && s.Service == "runstream-projections").ToList())
            .Any(trace =>
                trace.Any(s => s.Scope == "MassTransit" && s.Span.Name.EndsWith(" process"))
                && trace.Any(s => s.Scope == "Marten")
                && trace.Any(s => s.Scope == "Npgsql")),
            "one trace from Ingest's frame span to Projections' consumer, Marten and SQL spans");

        // The pipeline's own metrics: ingest rate, ack latency, queue depth, projection lag.
        string[] expected = ["runstream.ingest.frames", "runstream.ingest.ack_latency", "runstream.projections.queue_depth", "runstream.projections.lag"];
        await Poll.UntilAsync(() => Task.FromResult(collector.Metrics.ToArray()), names => expected.All(names.Contains),
            "Runstream's metrics to be exported");
    }

    private sealed record ReceivedSpan(string Service, string Scope, string TraceId, Span Span);

    /// <summary>A bare OTLP/HTTP trace receiver: every exported span, with its service and instrumentation scope.</summary>
    private sealed class OtlpReceiver : IDisposable
    {
        private readonly HttpListener _listener = new();
        public ConcurrentQueue<ReceivedSpan> Spans { get; } = new();
        public ConcurrentBag<string> Metrics { get; } = [];
        public string Url { get; }

        public OtlpReceiver()
        {
            var port = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
            port.Start();
            Url = $"http://127.0.0.1:{((IPEndPoint)port.LocalEndpoint).Port}";
            port.Stop();
            _listener.Prefixes.Add(Url + "/");
            _listener.Start();
            _ = Task.Run(ReceiveAsync);
        }

        private async Task ReceiveAsync()
        {
            while (_listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await _listener.GetContextAsync();
                }
                catch (Exception) when (!_listener.IsListening)
                {
                    return;
                }
                if (context.Request.Url?.AbsolutePath == "/v1/traces")
                {
                    var request = ExportTraceServiceRequest.Parser.ParseFrom(context.Request.InputStream);
                    foreach (var resource in request.ResourceSpans)
                    {
                        var service = resource.Resource?.Attributes.FirstOrDefault(a => a.Key == "service.name")?.Value?.StringValue ?? "";
                        foreach (var scope in resource.ScopeSpans)
                            foreach (var span in scope.Spans)
                                Spans.Enqueue(new ReceivedSpan(service, scope.Scope?.Name ?? "", Convert.ToHexString(span.TraceId.Span), span));
                    }
                }
                else if (context.Request.Url?.AbsolutePath == "/v1/metrics")
                {
                    var request = ExportMetricsServiceRequest.Parser.ParseFrom(context.Request.InputStream);
                    foreach (var metric in request.ResourceMetrics.SelectMany(r => r.ScopeMetrics).SelectMany(s => s.Metrics))
                        Metrics.Add(metric.Name);
                }
                context.Response.StatusCode = 200;
                context.Response.ContentType = "application/x-protobuf";
                context.Response.Close();
            }
        }

        public void Dispose()
        {
            _listener.Stop();
            _listener.Close();
        }
    }
}
