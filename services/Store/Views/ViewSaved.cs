namespace Runstream.Store.Views;

/// <summary>
/// A workspace view was saved (the first time, or again over the same view): <paramref name="State"/>
/// is the workspace's state as its link carries it (filters, sort, grouping, columns, sections,
/// panels, smoothing), which the server keeps without reading.
/// </summary>
public sealed record ViewSaved(string Entity, string Project, string ViewId, string Name, string State, string SavedBy, DateTimeOffset SavedAt) : ISavedViewEvent;
