using Npgsql;

namespace Runstream.Projections.Bus;

/// <summary>
/// Retries storing a batch until it is stored: a database that is down, restarting, timing out or
/// refusing a serialization never takes a frame out of the pipeline. (Data the database can never
/// hold is the consumers' business: they record it as rejected.) The wait doubles from
/// <see cref="FrameConsumerOptions.RetryMinInterval"/> to <see cref="FrameConsumerOptions.RetryMaxInterval"/>;
/// only the host's shutdown ends it, and then the broker redelivers the batch.
/// </summary>
public sealed class StorageRetry(PipelineHealth health, FrameConsumerOptions options, ILogger<StorageRetry> logger)
{
    public async Task UntilStoredAsync(string consumer, int count, Func<Task> store, CancellationToken cancellation)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await store();
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellation.IsCancellationRequested)
            {
                health.Failed(consumer);
                var wait = Backoff(attempt, options.RetryMinInterval, options.RetryMaxInterval);
                // One line per attempt for what is expected (the database is away); the stack for anything else.
                if (IsDatabaseUnavailable(e))
                    logger.LogWarning("Storing a batch of {Count} {Consumer} failed (attempt {Attempt}): {Error}; retrying in {Wait}.", count, consumer, attempt + 1, e.Message, wait);
                else
                    logger.LogError(e, "Storing a batch of {Count} {Consumer} failed (attempt {Attempt}); retrying in {Wait}.", count, consumer, attempt + 1, wait);
                await Task.Delay(wait, cancellation);
            }
        }
    }

    /// <summary>Doubling from the minimum, capped at the maximum.</summary>
    public static TimeSpan Backoff(int attempt, TimeSpan min, TimeSpan max) =>
        TimeSpan.FromTicks(Math.Min(max.Ticks, min.Ticks * (1L << Math.Min(attempt, 30))));

    private static bool IsDatabaseUnavailable(Exception e) =>
        e is NpgsqlException or TimeoutException || e.InnerException is NpgsqlException or System.Net.Sockets.SocketException;
}
