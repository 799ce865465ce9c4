namespace Runstream.Query.Media;

/// <summary>A key's values at a sample of its steps, out of <see cref="TotalSteps"/>.</summary>
public sealed record MediaSteps(string Key, string Kind, long TotalSteps, List<MediaStep> Steps);
