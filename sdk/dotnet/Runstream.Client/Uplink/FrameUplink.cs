using System.Threading.Channels;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Runstream.Client.Artifacts;
using Runstream.Client.Spool;
using Runstream.Contracts.V1;

namespace Runstream.Client.Uplink;

/// <summary>
/// The background side of a run. <c>Log</c> only puts a row in the outbox; the writer batches
/// rows into numbered frames and appends them to the run's spool on disk, and the sender
/// streams the spool to Ingest. The writer never waits on the network, so neither does training.
/// </summary>
internal sealed class FrameUplink : IAsyncDisposable
{
    private readonly RunSettings _settings;
    private readonly RunRef _run;
    private readonly IngestConnection _ingest;
    private readonly Channel<object> _outbox = Channel.CreateUnbounded<object>();
    private readonly RunSpool _spool;
    private readonly SpoolSender? _sender;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _writing;
    private readonly Task _sending;

    public FrameUplink(RunSettings settings, RunRef run, RunSpool spool, IngestConnection ingest)
    {
        _settings = settings;
        _run = run;
        _spool = spool;
        _ingest = ingest;
        if (!settings.Offline)
            _sender = new SpoolSender(spool, ingest, settings);
        _writing = Task.Run(WriteFramesAsync);
        _sending = _sender is null ? Task.CompletedTask : Task.Run(() => _sender.RunAsync(_stop.Token));
    }

    public IReadOnlyCollection<FrameError> Errors => _sender?.Errors ?? [];

    public string SpoolDirectory => _spool.Directory;

    public void Enqueue(MetricRowItem row) => Write(row);

    public void Enqueue(RunFrame frame) => Write(frame);

    private void Write(object item)
    {
        if (!_outbox.Writer.TryWrite(item))
            throw new InvalidOperationException($"Run {_run.RunId} is finished; nothing more can be logged to it.");
    }

    /// <summary>Stops taking new items, spools what is left, and waits up to <paramref name="timeout"/> for every frame's ack.</summary>
    public async Task<FinishResult> CompleteAsync(TimeSpan timeout)
    {
        _outbox.Writer.TryComplete();
        await _writing;
        _spool.FlushToDisk();
        if (_sender is null)
            return new FinishResult(_spool.Acked, _spool.LastSequence - _spool.Acked, _spool.Directory);
        _sender.Complete();
        await _sender.WaitForAcksAsync(timeout);
        return new FinishResult(_spool.Acked, _spool.LastSequence - _spool.Acked, _spool.Directory);
    }

    /// <summary>Uploads the artifact's missing content now, or, offline, keeps it in the spool for <c>sync</c>.</summary>
    public async Task UploadMissingContentAsync(LocalArtifact artifact, CancellationToken cancellation)
    {
        var files = artifact.Files.Select(f => (f.Digest, f.LocalPath)).ToList();
        if (_settings.Offline)
            ArtifactContentUpload.Stash(_spool.Directory, files);
        else
            await ArtifactContentUpload.UploadMissingAsync(_ingest, files, cancellation);
    }

    /// <summary>Uploads media files the blob store lacks, from memory.</summary>
    public Task UploadMediaAsync(IReadOnlyList<MediaFile> files, CancellationToken cancellation) =>
        ArtifactContentUpload.UploadMissingAsync(_ingest, [.. files.Select(f => (f.Digest, (Func<Stream>)(() => new MemoryStream(f.Bytes, writable: false))))], cancellation);

    /// <summary>Keeps media files in the spool for the sender (or <c>sync</c>) to upload before the frames that name them.</summary>
    public void StashMedia(IReadOnlyList<MediaFile> files) =>
        ArtifactContentUpload.Stash(_spool.Directory, files.Select(f => (f.Digest, (Action<string>)(path => File.WriteAllBytes(path, f.Bytes)))));

    /// <summary>Resolves an artifact reference and downloads its files into <paramref name="directory"/>.</summary>
    public async Task<ArtifactManifest> DownloadArtifactAsync(string project, string name, string version, string directory, CancellationToken cancellation)
    {
        var manifest = await _ingest.Client.GetArtifactAsync(new ArtifactRef { Project = project, Name = name, Version = version }, _ingest.Headers, cancellationToken: cancellation);
        // Every file from the version the reference resolved to, even if an alias moves meanwhile.
        var resolved = new ArtifactRef { Project = project, Name = name, Version = manifest.Version };
        var root = Path.GetFullPath(directory);
        foreach (var file in manifest.Files)
        {
            var target = Path.GetFullPath(Path.Combine(root, file.Path));
            var relative = Path.GetRelativePath(root, target);
            if (relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative))
                throw new InvalidOperationException($"The artifact's file '{file.Path}' would land outside {root}.");
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            // Written under a temporary name, checked against its digest, then renamed: a file is whole and right or absent.
            var partial = target + ".partial";
            using (var hash = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256))
            {
                await using (var output = File.Create(partial))
                {
                    using var download = _ingest.Client.DownloadContent(new ArtifactFileRef { Artifact = resolved, Path = file.Path }, _ingest.Headers, cancellationToken: cancellation);
                    await foreach (var chunk in download.ResponseStream.ReadAllAsync(cancellation))
                    {
                        hash.AppendData(chunk.Data.Span);
                        await output.WriteAsync(chunk.Data.Memory, cancellation);
                    }
                }
                if (Convert.ToHexStringLower(hash.GetHashAndReset()) != file.Digest)
                {
                    File.Delete(partial);
                    throw new InvalidDataException($"The downloaded '{file.Path}' does not match its SHA-256 {file.Digest}.");
                }
            }
            File.Move(partial, target, overwrite: true);
        }
        return manifest;
    }

    /// <summary>Outbox to spool: rows logged in a burst share a frame; other frames keep their place after the rows before them.</summary>
    private async Task WriteFramesAsync()
    {
        var batcher = new FrameBatcher();
        var reader = _outbox.Reader;
        var sequence = _spool.LastSequence;
        void Append(RunFrame? frame)
        {
            if (frame is null)
                return;
            frame.Run = _run;
            frame.Sequence = ++sequence;
            frame.ClientTimeUnixMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            _spool.Append(frame);
            _sender?.NotifyAppended();
        }

        while (await reader.WaitToReadAsync())
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
                    Append(batcher.Take());
                    Append((RunFrame)item);
                }
                var remaining = windowEnds - DateTime.UtcNow;
                if (batcher.RowCount >= _settings.MaxRowsPerFrame || batcher.RowCount == 0 || remaining <= TimeSpan.Zero || reader.Completion.IsCompleted)
                    break;
                // A short wait lets rows logged in a tight loop share one frame.
                await Task.WhenAny(reader.WaitToReadAsync().AsTask(), Task.Delay(remaining));
                if (!reader.TryPeek(out _))
                    break;
            }
            Append(batcher.Take());
        }
    }

    public async ValueTask DisposeAsync()
    {
        _outbox.Writer.TryComplete();
        await _stop.CancelAsync();
        await _writing;
        try
        {
            await _sending;
        }
        catch (OperationCanceledException)
        {
        }
        _spool.Dispose();
        _ingest.Dispose();
        _stop.Dispose();
    }
}

/// <summary>The gRPC channel to Ingest, with the API key on every call.</summary>
internal sealed class IngestConnection : IDisposable
{
    private readonly GrpcChannel _channel;

    public Ingest.IngestClient Client { get; }
    public Metadata Headers { get; } = [];

    public IngestConnection(RunSettings settings)
    {
        _channel = IngestAddresses.Channel(settings.ResolveUrl(), new GrpcChannelOptions
        {
            MaxSendMessageSize = 16 * 1024 * 1024,
            HttpHandler = new SocketsHttpHandler
            {
                EnableMultipleHttp2Connections = true,
                KeepAlivePingDelay = TimeSpan.FromSeconds(20),
                KeepAlivePingTimeout = TimeSpan.FromSeconds(10),
                SslOptions = { RemoteCertificateValidationCallback = PrivateAuthority.Validator(settings.ResolveCaCertificatePath()) },
            },
        });
        if (settings.ResolveApiKey() is { Length: > 0 } key)
            Headers.Add("authorization", $"Bearer {key}");
        Client = new Ingest.IngestClient(_channel);
    }

    public void Dispose() => _channel.Dispose();
}
