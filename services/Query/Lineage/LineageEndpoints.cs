using Marten;
using Npgsql;
using Runstream.Query.Runs;
using Runstream.Query.Security;
using Runstream.Store.Runs;
using StoreOptions = Runstream.Store.StoreOptions;

namespace Runstream.Query.Lineage;

/// <summary>A run's lineage: the runs it was forked from, nearest first, and the runs forked from it.</summary>
public static class LineageEndpoints
{
    public static void MapLineage(this RouteGroupBuilder api)
    {
        api.MapGet("/projects/{project}/runs/{runId}/lineage", async Task<IResult> (string project, string runId, IQuerySession session,
                NpgsqlDataSource database, StoreOptions store, HttpContext http, CancellationToken cancellation) =>
            {
                var runKey = new RunKey(http.Entity(), project, runId);
                if (await session.LoadAsync<RunDetails>(runKey.ToString(), cancellation) is not { } run)
                    return RunEndpoints.RunNotFound(project, runId);
                return Results.Ok(new RunLineageView(await AncestorsAsync(run, database, store, cancellation), await ForksAsync(session, runKey, cancellation)));
            })
            .WithName("GetRunLineage")
            .WithSummary("The runs this run was forked from (nearest first, with the step each fork took; a parent since purged has no name) and the runs forked from it.");
    }

    private static async Task<List<RunAncestor>> AncestorsAsync(RunDetails run, NpgsqlDataSource database, StoreOptions store, CancellationToken cancellation)
    {
        // The lineage walk lists the ancestors; each one's step is the one its child's fork names.
        await using var command = database.CreateCommand($"""
            with recursive {RunLineage.Cte(store.Schema, "$1", "$2")}
            select split_part(l.run_key, '/', 3), d.data ->> 'name', (c.data -> 'forkedFrom' ->> 'step')::bigint
            from lineage l
            join lineage child on child.generation = l.generation - 1
            join {store.Schema}.mt_doc_rundetails c on c.id = child.run_key
            left join {store.Schema}.mt_doc_rundetails d on d.id = l.run_key
            where l.generation > 0
            order by l.generation
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = run.Id });
        command.Parameters.Add(new NpgsqlParameter { Value = long.MaxValue });
        var ancestors = new List<RunAncestor>();
        await using var reader = await command.ExecuteReaderAsync(cancellation);
        while (await reader.ReadAsync(cancellation))
            ancestors.Add(new RunAncestor(reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1), reader.GetInt64(2)));
        return ancestors;
    }

    private static async Task<List<RunFork>> ForksAsync(IQuerySession session, RunKey parent, CancellationToken cancellation) =>
        [.. (await session.Query<RunDetails>()
                .Where(run => run.Entity == parent.Entity && run.Project == parent.Project && run.ForkedFrom!.RunId == parent.RunId && run.DeletedAt == null)
                .Select(run => new { run.RunId, run.Name, run.ForkedFrom!.Step, run.State })
                .ToListAsync(cancellation))
            .Select(fork => new RunFork(fork.RunId, fork.Name, fork.Step, fork.State.ToString().ToLowerInvariant()))
            .OrderBy(fork => fork.Step).ThenBy(fork => fork.RunId, StringComparer.Ordinal)];
}
