using Weasel.Postgresql;
using Weasel.Postgresql.Tables;

namespace Runstream.Store.Media;

/// <summary>
/// Media history: one row per (run, key, step, frame), the value as JSON (images, a table's file, or a
/// histogram's bins). A step logged again lands under a later sequence; readers take the highest.
/// </summary>
public static class MediaCellsTable
{
    public const string Name = "media_cells";

    public static Table Define(string schema)
    {
        var table = new Table(new PostgresqlObjectName(schema, Name, SchemaUtils.IdentifierUsage.General));
        table.AddColumn<string>("run_key").AsPrimaryKey();
        table.AddColumn<string>("key").AsPrimaryKey();
        table.AddColumn<long>("step").AsPrimaryKey();
        table.AddColumn<long>("sequence").AsPrimaryKey();
        table.AddColumn<long>("time_ms").NotNull();
        // images, table or histogram.
        table.AddColumn<string>("kind").NotNull();
        table.AddColumn("value", "jsonb").NotNull();
        // Every file the value names (images, the table's file and its images): what the run may serve.
        table.AddColumn("digests", "text[]").NotNull();
        return table;
    }
}
