using JasperFx;
using Npgsql;
using Runstream.Store.Rebuilds;
using IProjectionCoordinator = Marten.Events.Daemon.Coordination.IProjectionCoordinator;
using StoreOptions = Runstream.Store.StoreOptions;

namespace Runstream.Projections.Rebuilds;

/// <summary>
/// Rebuilds an async projection (project overview, artifact collections) with Marten's own daemon machinery,
/// <c>RebuildProjectionAsync</c>: it stops the projection's shard, removes its documents and its progress and
/// replays every event up to the high-water mark; then the shard is started again, and goes on from there. Events
/// appended meanwhile are beyond the mark and are applied by the restarted shard, as any async projection's are.
/// Readers see the documents emptied and filling while it runs (Marten's rebuild is not blue/green).
/// Progress is the shard's position in the event sequence against the high-water mark at the start. It must run
/// on the instance whose daemon runs the shard (<see cref="RunsShard"/>): that instance holds the shard's lock, so
/// the shard it starts again is the only one.
/// </summary>
public sealed class DaemonRebuilder(IProjectionCoordinator coordinator, NpgsqlDataSource database, StoreOptions schema)
{
    private static readonly TimeSpan ShardTimeout = TimeSpan.FromMinutes(30);

    public async Task RebuildAsync(RebuildReadModel model, RebuildRequest progress, Func<bool, Task> report, CancellationToken cancellation)
    {
        var name = model.DaemonProjection!;
        progress.EventsTotal = await ScalarAsync($"select coalesce(max(seq_id), 0) from {schema.Schema}.mt_events", null, cancellation);
        progress.StreamsTotal = 0;
        await report(true);

        var daemon = coordinator.DaemonForMainDatabase();
        var rebuild = daemon.RebuildProjectionAsync(name, ShardTimeout, cancellation);
        while (!rebuild.IsCompleted)
        {
            await Task.WhenAny(rebuild, Task.Delay(TimeSpan.FromSeconds(1), cancellation));
            progress.EventsDone = Math.Min(progress.EventsTotal, await ScalarAsync(
                $"select coalesce(min(last_seq_id), 0) from {schema.Schema}.mt_event_progression where name like $1", name + ":%", cancellation));
            await report(false);
        }
        await rebuild;
        // The rebuild stops the projection's running shard and does not start it again (JasperFx.Events 2.x): until
        // something does, events appended after the rebuild never reach the projection.
        await daemon.StartAgentAsync($"{name}:All", cancellation);
        progress.EventsDone = progress.EventsTotal;
    }

    /// <summary>Whether this instance's daemon runs the projection's shard (it holds the shard's lock).</summary>
    public bool RunsShard(string projection) =>
        coordinator.DaemonForMainDatabase().CurrentAgents()
            .Any(agent => agent.Name.Identity == $"{projection}:All" && agent.Status == AgentStatus.Running);

    private async Task<long> ScalarAsync(string sql, string? parameter, CancellationToken cancellation)
    {
        await using var connection = await database.OpenConnectionAsync(cancellation);
        await using var command = new NpgsqlCommand(sql, connection);
        if (parameter is not null)
            command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellation));
    }
}
