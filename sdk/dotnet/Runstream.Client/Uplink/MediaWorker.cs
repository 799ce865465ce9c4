using System.Threading.Channels;
using Runstream.Contracts.V1;

namespace Runstream.Client.Uplink;

/// <summary>
/// Media off the training loop: <see cref="Run.LogMedia"/> only queues the values; here they are encoded (PNG,
/// table JSON, bins), their files uploaded (only what the blob store lacks) or, offline, kept in the spool, and
/// then a <c>MediaLogged</c> frame naming them joins the run's frames.
/// </summary>
internal sealed class MediaWorker
{
    private static readonly TimeSpan[] UploadRetries = [TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(5)];

    private readonly Channel<(long Step, long TimeMs, string Key, MediaValue Value)> _queue =
        Channel.CreateUnbounded<(long, long, string, MediaValue)>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Func<IReadOnlyList<MediaFile>, CancellationToken, Task> _upload;
    private readonly Action<IReadOnlyList<MediaFile>> _stash;
    private readonly Action<RunFrame> _send;
    private readonly Action<string> _warn;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _working;

    /// <param name="upload">Uploads files (null offline: they are stashed for sync).</param>
    public MediaWorker(Func<IReadOnlyList<MediaFile>, CancellationToken, Task>? upload, Action<IReadOnlyList<MediaFile>> stash, Action<RunFrame> send, Action<string> warn)
    {
        _upload = upload ?? ((files, _) => { stash(files); return Task.CompletedTask; });
        _stash = stash;
        _send = send;
        _warn = warn;
        _working = Task.Run(WorkAsync);
    }

    public void Enqueue(long step, string key, MediaValue value)
    {
        if (!_queue.Writer.TryWrite((step, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), key, value)))
            throw new InvalidOperationException("The run is finished; nothing more can be logged to it.");
    }

    /// <summary>Takes no more values and waits for the queued ones to be sent, up to <paramref name="timeout"/>; after it they are dropped with a warning.</summary>
    public async Task CompleteAsync(TimeSpan timeout)
    {
        _queue.Writer.TryComplete();
        if (await Task.WhenAny(_working, Task.Delay(timeout)) != _working)
        {
            _warn($"media logged before the finish was not sent within {timeout.TotalSeconds:0.#} s; what was left is dropped.");
            await _stop.CancelAsync();
        }
        await _working;
    }

    private async Task WorkAsync()
    {
        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync())
        {
            // What queued up meanwhile goes in one frame.
            var batch = new List<(long Step, long TimeMs, string Key, MediaValue Value)>();
            while (batch.Count < 1_000 && reader.TryRead(out var item))
                batch.Add(item);
            if (_stop.IsCancellationRequested)
                continue;
            var (frame, files) = Encode(batch);
            if (frame.Media.Rows.Count == 0)
                continue;
            await StoreAsync(files);
            _send(frame);
        }
    }

    /// <summary>A frame of the values that encode; each one that does not is dropped with a warning naming its key and step.</summary>
    private (RunFrame Frame, List<MediaFile> Files) Encode(List<(long Step, long TimeMs, string Key, MediaValue Value)> batch)
    {
        var media = new MediaLogged();
        var files = new Dictionary<string, MediaFile>();
        foreach (var step in batch.GroupBy(item => item.Step))
        {
            var row = new MediaRow { Step = step.Key, TimeUnixMs = step.First().TimeMs };
            foreach (var (_, _, key, value) in step)
            {
                EncodedMedia encoded;
                try
                {
                    encoded = value.Encode();
                }
                catch (Exception e) when (e is ArgumentException or IOException or UnauthorizedAccessException)
                {
                    _warn($"media '{key}' at step {step.Key} is not logged: {e.Message}");
                    continue;
                }
                var index = media.Keys.IndexOf(key);
                if (index < 0)
                {
                    index = media.Keys.Count;
                    media.Keys.Add(key);
                }
                encoded.Cell.KeyIndex = (uint)index;
                row.Cells.Add(encoded.Cell);
                foreach (var file in encoded.Files)
                    files.TryAdd(file.Digest, file);
            }
            if (row.Cells.Count > 0)
                media.Rows.Add(row);
        }
        return (new RunFrame { Media = media }, [.. files.Values]);
    }

    /// <summary>
    /// Uploads the files, retrying a few times; if Ingest stays away they are stashed in the spool, which the
    /// sender uploads before it streams frames again (Ingest being away ends the stream too).
    /// </summary>
    private async Task StoreAsync(List<MediaFile> files)
    {
        if (files.Count == 0)
            return;
        foreach (var retry in UploadRetries.Append(TimeSpan.Zero))
        {
            try
            {
                await _upload(files, _stop.Token);
                return;
            }
            catch (Exception e) when (e is Grpc.Core.RpcException or IOException or HttpRequestException && !_stop.IsCancellationRequested && retry > TimeSpan.Zero)
            {
                await Task.Delay(retry, _stop.Token).ContinueWith(_ => { });
            }
            catch (Exception e) when (e is Grpc.Core.RpcException or IOException or HttpRequestException or OperationCanceledException)
            {
                break;
            }
        }
        _stash(files);
    }
}
