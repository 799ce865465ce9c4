using Grpc.Core;
using Runstream.Client.Spool;
using Runstream.Contracts.V1;

namespace Runstream.Client.Uplink;

/// <summary>
/// Streams a run's spooled frames to Ingest and records its acknowledgements. After a broken
/// stream it reconnects with backoff and starts again after the last acknowledged frame; Ingest
/// applies each sequence number once, so sending a frame twice is always safe.
/// </summary>
internal sealed class SpoolSender(RunSpool spool, IngestConnection ingest, RunSettings settings)
{
    private readonly RunRef _run = new() { Project = spool.Info.Project, RunId = spool.Info.RunId };
    private readonly Lock _lock = new();
    private TaskCompletionSource _appended = NewSignal();
    private TaskCompletionSource _acked = NewSignal();
    private volatile bool _complete;
    /// <summary>Frames sent and not yet acknowledged, for acknowledgement latency.</summary>
    private readonly Queue<(long Sequence, long SentAt, int Points)> _sent = new();

    public List<FrameError> Errors { get; } = [];

    /// <summary>The writer added frames to the spool.</summary>
    public void NotifyAppended() => Signal(ref _appended);

    /// <summary>No more frames will be added; the sender stops once all are acknowledged.</summary>
    public void Complete()
    {
        _complete = true;
        NotifyAppended();
    }

    /// <summary>Waits until every spooled frame is acknowledged, or the timeout passes; true when they all are.</summary>
    public async Task<bool> WaitForAcksAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (spool.Acked < spool.LastSequence)
        {
            var remaining = deadline - DateTime.UtcNow;
            if (remaining <= TimeSpan.Zero)
                return false;
            Task acked;
            lock (_lock)
                acked = _acked.Task;
            if (spool.Acked >= spool.LastSequence)
                break;
            await Task.WhenAny(acked, Task.Delay(remaining));
        }
        return true;
    }

    /// <summary>Sends until completed and all acknowledged, or until <paramref name="stop"/>.</summary>
    public async Task RunAsync(CancellationToken stop)
    {
        var attempt = 0;
        while (!stop.IsCancellationRequested)
        {
            var wait = TimeSpan.Zero;
            try
            {
                if (await StreamOnceAsync(stop))
                    return;
                attempt = 0;
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.ResourceExhausted && !stop.IsCancellationRequested)
            {
                // Rate limited: wait as told; what was not acknowledged is still in the spool.
                settings.Warn($"run {_run.RunId}: Ingest is rate limiting ({e.Status.Detail}); backing off.");
                wait = RetryAfter(e);
            }
            catch (Exception e) when (e is RpcException or IOException or HttpRequestException && !stop.IsCancellationRequested)
            {
                if (attempt == 0)
                    settings.Warn($"run {_run.RunId}: lost the connection to Ingest ({Describe(e)}); retrying, and spooling to {spool.Directory} meanwhile.");
                attempt++;
            }
            catch (Exception) when (stop.IsCancellationRequested)
            {
                // Stopped: whatever was cut short stays in the spool.
                return;
            }
            try
            {
                var backoff = Backoff(attempt);
                await Task.Delay(wait > backoff ? wait : backoff, stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private static TimeSpan RetryAfter(RpcException e) =>
        int.TryParse(e.Trailers.GetValue("retry-after-ms"), out var milliseconds) ? TimeSpan.FromMilliseconds(milliseconds) : TimeSpan.FromSeconds(1);

    /// <summary>One stream's life. True when everything is acknowledged and nothing more will come.</summary>
    private async Task<bool> StreamOnceAsync(CancellationToken stop)
    {
        // Content an offline run kept goes first: its frames name it.
        await ArtifactContentUpload.UploadStashedAsync(ingest, spool.Directory, stop);
        using var call = ingest.Client.StreamFrames(ingest.Headers, cancellationToken: stop);
        var replies = ReadRepliesAsync(call.ResponseStream, stop);
        using var cursor = spool.OpenCursor(spool.Acked + 1);
        lock (_sent)
            _sent.Clear();
        var lastSent = spool.Acked;
        var nextHeartbeat = DateTime.UtcNow + settings.HeartbeatInterval;

        while (true)
        {
            Task appended;
            lock (_lock)
                appended = _appended.Task;
            while (cursor.TryRead(out var frame))
            {
                if (settings.OnAcknowledged is not null)
                    lock (_sent)
                        _sent.Enqueue((frame.Sequence, System.Diagnostics.Stopwatch.GetTimestamp(), CountPoints(frame)));
                await call.RequestStream.WriteAsync(frame, stop);
                lastSent = frame.Sequence;
                nextHeartbeat = DateTime.UtcNow + settings.HeartbeatInterval;
            }
            if (_complete && lastSent >= spool.LastSequence)
                break;

            var untilHeartbeat = nextHeartbeat - DateTime.UtcNow;
            if (untilHeartbeat <= TimeSpan.Zero)
            {
                await call.RequestStream.WriteAsync(new RunFrame { Run = _run, Heartbeat = new Heartbeat() }, stop);
                nextHeartbeat = DateTime.UtcNow + settings.HeartbeatInterval;
                continue;
            }
            if (await Task.WhenAny(appended, replies, Task.Delay(untilHeartbeat, stop)) == replies)
            {
                await replies;
                throw new IOException("Ingest closed the stream.");
            }
        }

        await call.RequestStream.CompleteAsync();
        await replies;
        return spool.Acked >= spool.LastSequence;
    }

    private async Task ReadRepliesAsync(IAsyncStreamReader<IngestReply> replies, CancellationToken stop)
    {
        await foreach (var reply in replies.ReadAllAsync(stop))
        {
            if (reply.Error is { } error)
            {
                lock (Errors)
                    Errors.Add(error);
                settings.Warn($"run {_run.RunId}: frame {error.Sequence} was refused: {error.Field}: {error.Message}");
            }
            if (reply.Ack is { } ack)
            {
                spool.Acknowledge(ack.Sequence);
                Signal(ref _acked);
                ReportAcknowledged(ack.Sequence);
            }
        }
    }

    private void ReportAcknowledged(long sequence)
    {
        if (settings.OnAcknowledged is not { } report)
            return;
        while (true)
        {
            (long Sequence, long SentAt, int Points) sent;
            lock (_sent)
                if (!_sent.TryPeek(out sent) || sent.Sequence > sequence || !_sent.TryDequeue(out sent))
                    return;
            if (sent.Sequence == sequence)
                report(new FrameAcknowledged(_run.RunId, sent.Sequence, sent.Points, System.Diagnostics.Stopwatch.GetElapsedTime(sent.SentAt)));
        }
    }

    private static int CountPoints(RunFrame frame) => frame.Metrics?.Rows.Sum(row => row.Values.Count) ?? 0;

    private void Signal(ref TaskCompletionSource signal)
    {
        TaskCompletionSource fired;
        lock (_lock)
        {
            fired = signal;
            signal = NewSignal();
        }
        fired.TrySetResult();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Exponential backoff from 200 ms to 10 s, with jitter so many jobs do not reconnect in step.</summary>
    private static TimeSpan Backoff(int attempt)
    {
        var ceiling = Math.Min(10_000, 200 * Math.Pow(2, Math.Min(attempt, 6)));
        return TimeSpan.FromMilliseconds(ceiling / 2 + Random.Shared.NextDouble() * ceiling / 2);
    }

    private static string Describe(Exception e) => e is RpcException rpc ? $"{rpc.StatusCode}: {rpc.Status.Detail}" : e.Message;
}
