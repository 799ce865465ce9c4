namespace Runstream.Store.Runs;

/// <summary>
/// Where a run's metric history comes from: a fork's history is its ancestors' up to the steps they were forked
/// at, read through them (a reference, not a copy), then its own. One SQL walk, so a reader of history pays no
/// extra round trip for it.
/// </summary>
public static class RunLineage
{
    /// <summary>More generations than anyone forks; it bounds the walk should a chain ever loop.</summary>
    public const int MaxGenerations = 64;

    /// <summary>
    /// A recursive common table expression <c>lineage(run_key, up_to, generation)</c>: the run <paramref name="runKey"/>
    /// (a parameter placeholder) up to <paramref name="upToStep"/> as generation 0, its parent up to the fork step (and
    /// not past <paramref name="upToStep"/>) as 1, and so on. Start the query with <c>with recursive</c>.
    /// </summary>
    public static string Cte(string schema, string runKey, string upToStep) => $"""
        lineage(run_key, up_to, generation) as (
            select {runKey}::text, {upToStep}::bigint, 0
            union all
            select split_part(l.run_key, '/', 1) || '/' || split_part(l.run_key, '/', 2) || '/' || (d.data -> 'forkedFrom' ->> 'runId'),
                least(l.up_to, (d.data -> 'forkedFrom' ->> 'step')::bigint), l.generation + 1
            from lineage l
            join {schema}.mt_doc_rundetails d on d.id = l.run_key
            where jsonb_typeof(d.data -> 'forkedFrom') = 'object' and l.generation < {MaxGenerations}
        )
        """;
}
