using System.Collections.Concurrent;
using System.Threading.Channels;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Runstream.Client.Artifacts;
using Runstream.Contracts.V1;

namespace Runstream.Client.Uplink;

/// <summary>
/// The background side of a run: numbers frames, streams them to Ingest, keeps each one until it
/// is acknowledged, and after a broken stream reconnects (with backoff) and re-sends the rest.
/// Ingest applies each sequence number once, so re-sending is always safe.
/// </summary>
internal sealed class FrameUplink : IAsyncDisposable
{
    private const int UploadChunkBytes = 1 << 20;

    private readonly RunSettings _settings;
    private readonly RunRef _run;
    private readonly GrpcChannel _channel;
    private readonly Ingest.IngestClient _client;
    private readonly Metadata _headers = [];
    private readonly Channel<object> _outbox = Channel.CreateUnbounded<object>();
    private readonly Lock _lock = new();
    private readonly Queue<RunFrame> _unacked = new();
    private readonly ConcurrentQueue<FrameError> _errors = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _sending;
    private long _lastSequence;
    private long _lastAcked;

    public FrameUplink(RunSettings settings, RunRef run)
    {
        _settings = settings;
        _run = run;
        _channel = GrpcChannel.ForAddress(settings.ResolveUrl(), new GrpcChannelOptions
        {
            MaxSendMessageSize = 16 * 1024 * 1024,
            HttpHandler = new SocketsHttpHandler
            {
                EnableMultipleHttp2Connections = true,
                KeepAlivePingDelay = TimeSpan.FromSeconds(20),
                KeepAlivePingTimeout = TimeSpan.FromSeconds(10),
            },
        });
        _client = new Ingest.IngestClient(_channel);
        if (settings.ResolveApiKey() is { Length: > 0 } key)
            _headers.Add("authorization", $"Bearer {key}");
        _sending = Task.Run(SendUntilDoneAsync);
    }

    public IReadOnlyCollection<FrameError> Errors => _errors;

    public void Enqueue(MetricRowItem row) => Write(row);

    public void Enqueue(RunFrame frame) => Write(frame);

    private void Write(object item)
    {
        if (!_outbox.Writer.TryWrite(item))
            throw new InvalidOperationException($"Run {_run.RunId} is finished; nothing more can be logged to it.");
    }

    /// <summary>Stops taking new items and waits up to <paramref name="timeout"/> for every frame's ack.</summary>
    public async Task<FinishResult> CompleteAsync(TimeSpan timeout)
    {
        _outbox.Writer.TryComplete();
        try
        {
            await _sending.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
        }
        lock (_lock)
            return new FinishResult(_lastAcked, _lastSequence - _lastAcked + _outbox.Reader.Count);
    }

    public async Task UploadMissingContentAsync(ArtifactManifest artifact, CancellationToken cancellation)
    {
        var request = new FindMissingContentRequest { Digests = { artifact.Files.Select(f => f.Digest).Distinct() } };
        var missing = (await _client.FindMissingContentAsync(request, _headers, cancellationToken: cancellation)).Missing.ToHashSet();
        foreach (var file in artifact.Files.Where(f => missing.Remove(f.Digest)))
        {
            using var upload = _client.UploadContent(_headers, cancellationToken: cancellation);
            await using var content = File.OpenRead(file.LocalPath);
            var buffer = new byte[UploadChunkBytes];
            var first = true;
            int read;
            while ((read = await content.ReadAsync(buffer, cancellation)) > 0 || first)
            {
                await upload.RequestStream.WriteAsync(new ContentChunk
                {
                    Digest = first ? file.Digest : "",
                    Data = ByteString.CopyFrom(buffer, 0, read),
                }, cancellation);
                first = false;
            }
            await upload.RequestStream.CompleteAsync();
            await upload.ResponseAsync;
        }
    }

    private async Task SendUntilDoneAsync()
    {
        var attempt = 0;
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                if (await StreamOnceAsync())
                    return;
                attempt = 0;
            }
            catch (Exception e) when (e is RpcException or IOException or HttpRequestException && !_stop.IsCancellationRequested)
            {
                if (attempt == 0)
                    _settings.Warn($"run {_run.RunId}: lost the connection to Ingest ({Describe(e)}); retrying, nothing is lost meanwhile.");
                attempt++;
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            try
            {
                await Task.Delay(Backoff(attempt), _stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>One stream's life: re-send what is unacknowledged, then pump the outbox. True when everything is acknowledged and nothing more will come.</summary>
    private async Task<bool> StreamOnceAsync()
    {
        using var call = _client.StreamFrames(_headers, cancellationToken: _stop.Token);
        var replies = ReadRepliesAsync(call.ResponseStream);

        RunFrame[] resend;
        lock (_lock)
            resend = [.. _unacked];
        foreach (var frame in resend)
            await call.RequestStream.WriteAsync(frame, _stop.Token);

        var batcher = new FrameBatcher();
        var reader = _outbox.Reader;
        while (await WaitForItemsAsync(reader, replies))
        {
            var windowEnds = DateTime.UtcNow + _settings.FlushInterval;
            while (true)
            {
                while (batcher.RowCount < _settings.MaxRowsPerFrame && reader.TryRead(out var item))
                {
                    if (item is MetricRowItem row)
                    {
                        batcher.Add(row);
                        continue;
                    }
                    // Other frames keep their place after the rows logged before them.
                    await SendAsync(call, batcher.Take());
                    await SendAsync(call, (RunFrame)item);
                }
                var remaining = windowEnds - DateTime.UtcNow;
                if (batcher.RowCount >= _settings.MaxRowsPerFrame || batcher.RowCount == 0 || remaining <= TimeSpan.Zero || reader.Completion.IsCompleted)
                    break;
                // A short wait lets rows logged in a tight loop share one frame.
                await Task.WhenAny(reader.WaitToReadAsync(_stop.Token).AsTask(), Task.Delay(remaining, _stop.Token));
                if (!reader.TryPeek(out _))
                    break;
            }
            await SendAsync(call, batcher.Take());
        }

        await call.RequestStream.CompleteAsync();
        await replies;
        lock (_lock)
            return _unacked.Count == 0 && reader.Completion.IsCompleted;
    }

    /// <summary>Waits for the outbox; false once it is completed and drained. A broken reply stream ends the wait with its error.</summary>
    private async Task<bool> WaitForItemsAsync(ChannelReader<object> reader, Task replies)
    {
        var waiting = reader.WaitToReadAsync(_stop.Token).AsTask();
        if (await Task.WhenAny(waiting, replies) == replies)
        {
            await replies;
            throw new IOException("Ingest closed the stream.");
        }
        return await waiting;
    }

    private async Task SendAsync(AsyncDuplexStreamingCall<RunFrame, IngestReply> call, RunFrame? frame)
    {
        if (frame is null)
            return;
        lock (_lock)
        {
            frame.Run = _run;
            frame.Sequence = ++_lastSequence;
            frame.ClientTimeUnixMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            _unacked.Enqueue(frame);
        }
        await call.RequestStream.WriteAsync(frame, _stop.Token);
    }

    private async Task ReadRepliesAsync(IAsyncStreamReader<IngestReply> replies)
    {
        await foreach (var reply in replies.ReadAllAsync(_stop.Token))
        {
            if (reply.Error is { } error)
            {
                _errors.Enqueue(error);
                _settings.Warn($"run {_run.RunId}: frame {error.Sequence} was refused: {error.Field}: {error.Message}");
            }
            if (reply.Ack is { } ack)
            {
                lock (_lock)
                {
                    while (_unacked.TryPeek(out var oldest) && oldest.Sequence <= ack.Sequence)
                        _unacked.Dequeue();
                    _lastAcked = Math.Max(_lastAcked, ack.Sequence);
                }
            }
        }
    }

    /// <summary>Exponential backoff from 200 ms to 10 s, with jitter so many jobs do not reconnect in step.</summary>
    private static TimeSpan Backoff(int attempt)
    {
        var ceiling = Math.Min(10_000, 200 * Math.Pow(2, Math.Min(attempt, 6)));
        return TimeSpan.FromMilliseconds(ceiling / 2 + Random.Shared.NextDouble() * ceiling / 2);
    }

    private static string Describe(Exception e) => e is RpcException rpc ? $"{rpc.StatusCode}: {rpc.Status.Detail}" : e.Message;

    public async ValueTask DisposeAsync()
    {
        _outbox.Writer.TryComplete();
        await _stop.CancelAsync();
        try
        {
            await _sending;
        }
        catch (OperationCanceledException)
        {
        }
        _channel.Dispose();
        _stop.Dispose();
    }
}
