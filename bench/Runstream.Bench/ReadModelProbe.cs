using System.Diagnostics;
using Npgsql;

namespace Runstream.Bench;

/// <summary>
/// Watches the read model: how many points have landed (from each run's last step), and how long
/// after its ack each frame became queryable (read-model lag).
/// </summary>
internal sealed class ReadModelProbe(NpgsqlDataSource database, string schema, string project, int keys)
{
    public List<double> LagsMs { get; } = [];

    /// <summary>Points queryable now: (last step + 1) x keys over the project's runs.</summary>
    public async Task<long> PointsLandedAsync()
    {
        await using var command = database.CreateCommand($"""
            select coalesce(sum(((data ->> 'lastStep')::bigint + 1)), 0) from {schema}.mt_doc_rundetails
            where data ->> 'project' = $1 and data ->> 'lastStep' is not null
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = project });
        return (long)(decimal)(await command.ExecuteScalarAsync())! * keys;
    }

    /// <summary>Polls each run's last applied sequence and matches it against the acks seen.</summary>
    public async Task SampleLagAsync(LoadGenerator load, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            await using (var command = database.CreateCommand($"""
                select data ->> 'runId', (data ->> 'lastSequence')::bigint from {schema}.mt_doc_rundetails where data ->> 'project' = $1
                """))
            {
                command.Parameters.Add(new NpgsqlParameter { Value = project });
                await using var reader = await command.ExecuteReaderAsync(CancellationToken.None);
                var now = Stopwatch.GetTimestamp();
                while (await reader.ReadAsync(CancellationToken.None))
                {
                    if (!load.Acks.TryGetValue(reader.GetString(0), out var acks))
                        continue;
                    var applied = reader.GetInt64(1);
                    while (acks.TryPeek(out var ack) && ack.Sequence <= applied && acks.TryDequeue(out ack))
                        if (load.Measuring)
                            LagsMs.Add(Stopwatch.GetElapsedTime(ack.AckedAt, now).TotalMilliseconds);
                }
            }
            try
            {
                await Task.Delay(20, stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
