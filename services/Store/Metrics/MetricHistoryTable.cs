using Weasel.Postgresql;
using Weasel.Postgresql.Tables;

namespace Runstream.Store.Metrics;

/// <summary>
/// Metric history as chunks: one row per (run, key, frame) holding that frame's steps, times and
/// values as arrays. A frame of 1,000 steps x 10 keys writes 10 rows and 10 index entries rather
/// than 10,000, which is what lets ingest keep up; a long series is read as a few thousand arrays.
/// Logging a step again lands in a later chunk; readers take the value from the latest chunk
/// (highest sequence, then last position), so the last write wins.
/// </summary>
public static class MetricHistoryTable
{
    public const string Name = "metric_chunks";

    /// <summary>Points per block of the block summaries.</summary>
    public const int BlockSize = 64;

    public static Table Define(string schema)
    {
        var table = new Table(new PostgresqlObjectName(schema, Name, SchemaUtils.IdentifierUsage.General));
        table.AddColumn<string>("run_key").AsPrimaryKey();
        table.AddColumn<string>("key").AsPrimaryKey();
        table.AddColumn<long>("sequence").AsPrimaryKey();
        table.AddColumn<long>("first_step").NotNull();
        table.AddColumn<long>("last_step").NotNull();
        // True when the steps are first_step, first_step + 1, ...: sampling then reads only the values.
        table.AddColumn("dense", "boolean").NotNull().DefaultValueByExpression("false");
        table.AddColumn("steps", "bigint[]").NotNull();
        table.AddColumn("times_ms", "bigint[]").NotNull();
        table.AddColumn("values", "double precision[]").NotNull();
        // Dense chunks also keep min, max and last of each block of BlockSize points, so a chart of a
        // million points reads a few hundred kilobytes of blocks instead of eight megabytes of values.
        table.AddColumn("block_min", "double precision[]");
        table.AddColumn("block_max", "double precision[]");
        table.AddColumn("block_last", "double precision[]");
        return table;
    }
}
