using Weasel.Postgresql;
using Weasel.Postgresql.Tables;

namespace Runstream.Store.Metrics;

/// <summary>
/// Metric history as one flat row per (run, key, step): millions of points per run would be
/// far too many documents, and per-key range reads of a long series want a plain index.
/// </summary>
public static class MetricHistoryTable
{
    public const string Name = "metric_points";

    public static Table Define(string schema)
    {
        var table = new Table(new PostgresqlObjectName(schema, Name, SchemaUtils.IdentifierUsage.General));
        table.AddColumn<string>("run_key").AsPrimaryKey();
        table.AddColumn<string>("key").AsPrimaryKey();
        table.AddColumn<long>("step").AsPrimaryKey();
        table.AddColumn<long>("time_ms").NotNull();
        table.AddColumn<double>("value").NotNull();
        return table;
    }
}
