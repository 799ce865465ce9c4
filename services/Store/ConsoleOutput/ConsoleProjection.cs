using JasperFx.Events;
using Marten;
using Marten.Events.Projections;
using Runstream.Store.Runs;

namespace Runstream.Store.ConsoleOutput;

/// <summary>Inline: writes each <see cref="ConsoleLogged"/> event's lines in the same transaction as the event.</summary>
public sealed class ConsoleProjection(string schema) : IProjection
{
    private readonly string _insert = $"""
        insert into {schema}.{ConsoleTable.Name} (run_key, line, time_ms, stderr, text)
        select ?, ? + n - 1, time_ms, stderr, text from unnest(?::bigint[], ?::boolean[], ?::text[]) with ordinality as l(time_ms, stderr, text, n)
        on conflict (run_key, line) do nothing
        """;

    public Task ApplyAsync(IDocumentOperations operations, IReadOnlyList<IEvent> events, CancellationToken cancellation)
    {
        foreach (var e in events)
            if (e.Data is ConsoleLogged { Lines.Length: > 0 } logged)
                operations.QueueSqlCommand(_insert, e.StreamKey!, logged.FirstLine,
                    logged.Lines.Select(l => l.TimeUnixMs).ToArray(), logged.Lines.Select(l => l.Stderr).ToArray(), logged.Lines.Select(l => l.Text).ToArray());
        return Task.CompletedTask;
    }
}
