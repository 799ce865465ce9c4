namespace Runstream.Store.Media;

/// <summary>A logged table: its JSON file by digest, its columns and row count, and the images its cells name.</summary>
public sealed record MediaTable(string Digest, long Size, string[] Columns, long RowCount, string[] ImageDigests);
