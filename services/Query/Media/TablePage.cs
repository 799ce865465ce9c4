using System.Text.Json.Nodes;

namespace Runstream.Query.Media;

/// <summary>A page of a logged table's rows, sorted and searched as asked, out of <see cref="TotalRows"/> that matched.</summary>
public sealed record TablePage(string Key, long Step, string[] Columns, long TotalRows, int Offset, List<JsonArray> Rows);
