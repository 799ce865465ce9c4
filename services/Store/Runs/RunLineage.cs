namespace Runstream.Store.Runs;

/// <summary>
/// Which metric history points make a run's history, in SQL, so a reader pays no extra round trip for it.
/// <list type="bullet">
/// <item>A fork's history is its ancestors' up to the steps they were forked at, read through them (a reference,
/// not a copy), each as it was when the fork was made (<see cref="ForkPoint.ParentSequence"/>), then its own.</item>
/// <item>A rewind supersedes the points of frames before it at steps after its step: they stay in the table (as
/// their events stay in the stream) and readers leave them out.</item>
/// </list>
/// </summary>
public static class RunLineage
{
    /// <summary>More generations than anyone forks; it bounds the walk should a chain ever loop.</summary>
    public const int MaxGenerations = 64;

    /// <summary>
    /// A recursive common table expression <c>lineage(run_key, up_to, as_of, rewinds, generation)</c>: the run
    /// <paramref name="runKey"/> (a parameter placeholder) up to <paramref name="upToStep"/> as generation 0, its parent
    /// up to the fork step as 1, and so on. A generation is read as of its frame <c>as_of</c>, and only up to steps its
    /// descendants' rewinds (made by then) did not supersede. Start the query with <c>with recursive</c>.
    /// </summary>
    public static string Cte(string schema, string runKey, string upToStep) => $"""
        lineage(run_key, up_to, as_of, rewinds, generation) as (
            select {runKey}::text, {upToStep}::bigint, {long.MaxValue}::bigint,
                (select data -> 'rewinds' from {schema}.mt_doc_rundetails where id = {runKey}::text), 0
            union all
            select parent.key,
                least(l.up_to, (d.data -> 'forkedFrom' ->> 'step')::bigint, {SupersededAbove("l", "0")}),
                coalesce((d.data -> 'forkedFrom' ->> 'parentSequence')::bigint, {long.MaxValue}),
                (select data -> 'rewinds' from {schema}.mt_doc_rundetails where id = parent.key), l.generation + 1
            from lineage l
            join {schema}.mt_doc_rundetails d on d.id = l.run_key
            cross join lateral (select split_part(l.run_key, '/', 1) || '/' || coalesce(d.data -> 'forkedFrom' ->> 'project', split_part(l.run_key, '/', 2))
                || '/' || (d.data -> 'forkedFrom' ->> 'runId') as key) parent
            where jsonb_typeof(d.data -> 'forkedFrom') = 'object' and l.generation < {MaxGenerations}
        )
        """;

    /// <summary>
    /// The last step of the chunk <paramref name="chunk"/> (of the lineage row <paramref name="lineage"/>) that is still
    /// the run's: capped by the lineage and by the rewinds after the chunk's frame. Chunks after <c>as_of</c> do not count at all.
    /// </summary>
    public static string ChunkCap(string lineage, string chunk) => $"least({lineage}.up_to, {SupersededAbove(lineage, $"{chunk}.sequence")})";

    /// <summary>The lowest step a rewind made after frame <paramref name="sequence"/> (and by <c>as_of</c>) went back to: null if none.</summary>
    private static string SupersededAbove(string lineage, string sequence) => $"""
        (select min((r ->> 'step')::bigint) from jsonb_array_elements({lineage}.rewinds) r
         where (r ->> 'sequence')::bigint > {sequence} and (r ->> 'sequence')::bigint <= {lineage}.as_of)
        """;
}
