using Weasel.Postgresql;
using Weasel.Postgresql.Tables;

namespace Runstream.Store.ConsoleOutput;

/// <summary>A run's console lines, numbered from 0 in the order the run wrote them.</summary>
public static class ConsoleTable
{
    public const string Name = "console_lines";

    public static Table Define(string schema)
    {
        var table = new Table(new PostgresqlObjectName(schema, Name, SchemaUtils.IdentifierUsage.General));
        table.AddColumn<string>("run_key").AsPrimaryKey();
        table.AddColumn<long>("line").AsPrimaryKey();
        table.AddColumn<long>("time_ms").NotNull();
        table.AddColumn("stderr", "boolean").NotNull();
        table.AddColumn<string>("text").NotNull();
        return table;
    }
}
