using System.Diagnostics.Metrics;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace Runstream.Projections.Bus;

/// <summary>
/// Frames waiting in this instance's queue, as the metric <c>runstream.projections.queue_depth</c>:
/// the backlog between "acknowledged" and "applied" that lag alone does not show (lag is measured
/// on frames that were applied). Read every few seconds with a passive queue declare.
/// </summary>
public sealed class QueueDepthGauge : BackgroundService
{
    private static readonly TimeSpan Every = TimeSpan.FromSeconds(5);
    private readonly ConnectionFactory _broker;
    private readonly IList<AmqpTcpEndpoint> _nodes;
    private readonly string _queue;
    private readonly ILogger<QueueDepthGauge> _logger;
    private long _depth = -1;

    public QueueDepthGauge(ServiceDefaults.RabbitMqConnection connection, string queue, ILogger<QueueDepthGauge> logger)
    {
        _broker = new ConnectionFactory { Uri = connection.First };
        _nodes = connection.Endpoints();
        _queue = queue;
        _logger = logger;
        ServiceDefaults.RunstreamTelemetry.Meter.CreateObservableGauge("runstream.projections.queue_depth", Observe,
            unit: "{frame}", description: "Frames waiting in the queue this instance consumes");
    }

    private IEnumerable<Measurement<long>> Observe() =>
        Interlocked.Read(ref _depth) is var depth and >= 0 ? [new Measurement<long>(depth, new KeyValuePair<string, object?>("queue", _queue))] : [];

    protected override async Task ExecuteAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await using var connection = await _broker.CreateConnectionAsync(_nodes, stopping);
                await using var channel = await connection.CreateChannelAsync(cancellationToken: stopping);
                while (!stopping.IsCancellationRequested)
                {
                    Interlocked.Exchange(ref _depth, (await channel.QueueDeclarePassiveAsync(_queue, stopping)).MessageCount);
                    await Task.Delay(Every, stopping);
                }
            }
            catch (Exception e) when (e is BrokerUnreachableException or OperationInterruptedException or AlreadyClosedException or IOException)
            {
                // The broker is away (or the queue not declared yet): no reading until it is back.
                Interlocked.Exchange(ref _depth, -1);
                _logger.LogDebug(e, "Cannot read the depth of {Queue}; trying again.", _queue);
                await Task.Delay(Every, stopping);
            }
        }
    }
}
