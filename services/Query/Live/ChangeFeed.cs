using System.Collections.Concurrent;
using System.Threading.Channels;
using Npgsql;
using Runstream.Store.Live;

namespace Runstream.Query.Live;

/// <summary>
/// Listens to the run-change notifications that Projections (and edits) raise on commit, on one
/// PostgreSQL connection per Query instance, and hands each run key to the subscribers that
/// watch its project or the run itself. A lost connection is re-opened; subscribers then get a
/// "*" so they reload what they show rather than miss a change.
/// </summary>
public sealed class ChangeFeed(NpgsqlDataSource database, ILogger<ChangeFeed> logger) : BackgroundService
{
    public const string Resync = "*";
    private readonly ConcurrentDictionary<Subscription, byte> _subscriptions = new();

    /// <param name="prefix">A project key followed by '/' (a project's runs), or a run key.</param>
    public Subscription Subscribe(string prefix)
    {
        var subscription = new Subscription(prefix, this);
        _subscriptions[subscription] = 0;
        return subscription;
    }

    protected override async Task ExecuteAsync(CancellationToken stopping)
    {
        var delay = TimeSpan.FromMilliseconds(200);
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await using var connection = await database.OpenConnectionAsync(stopping);
                connection.Notification += (_, e) =>
                {
                    foreach (var runKey in RunChanges.Parse(e.Payload))
                        Dispatch(runKey);
                };
                await using (var listen = new NpgsqlCommand($"listen {RunChanges.Channel}", connection))
                    await listen.ExecuteNonQueryAsync(stopping);
                Dispatch(Resync);
                delay = TimeSpan.FromMilliseconds(200);
                while (!stopping.IsCancellationRequested)
                    await connection.WaitAsync(stopping);
            }
            catch (Exception e) when (!stopping.IsCancellationRequested)
            {
                logger.LogWarning(e, "Lost the run-change notifications; listening again in {Delay}.", delay);
                await Task.Delay(delay, stopping);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(10).Ticks));
            }
        }
    }

    private void Dispatch(string runKey)
    {
        foreach (var subscription in _subscriptions.Keys)
            if (runKey == Resync || subscription.Watches(runKey))
                subscription.Offer(runKey);
    }

    public sealed class Subscription(string prefix, ChangeFeed feed) : IDisposable
    {
        public string Prefix { get; } = prefix;

        /// <summary>A project's subscription (its key ends in '/') watches all its runs; a run's, that run alone.</summary>
        public bool Watches(string runKey) =>
            Prefix.EndsWith('/') ? runKey.StartsWith(Prefix, StringComparison.Ordinal) : runKey == Prefix;

        private readonly Channel<string> _changes = Channel.CreateBounded<string>(new BoundedChannelOptions(1024) { FullMode = BoundedChannelFullMode.Wait });
        private volatile bool _overflowed;

        /// <summary>A reader too slow to keep up is told to reload everything rather than miss a change.</summary>
        internal void Offer(string runKey)
        {
            if (!_changes.Writer.TryWrite(runKey))
                _overflowed = true;
        }

        /// <summary>Waits for a change, then takes every change that came within <paramref name="coalesce"/>, distinct.</summary>
        public async Task<HashSet<string>> NextAsync(TimeSpan coalesce, CancellationToken cancellation)
        {
            var keys = new HashSet<string> { await _changes.Reader.ReadAsync(cancellation) };
            // Runs change many times a second while they log; a dashboard needs a few updates a second, not each one.
            await Task.Delay(coalesce, cancellation);
            while (_changes.Reader.TryRead(out var key))
                keys.Add(key);
            if (_overflowed)
            {
                _overflowed = false;
                keys.Add(Resync);
            }
            return keys;
        }

        public void Dispose() => feed._subscriptions.TryRemove(this, out _);
    }
}
