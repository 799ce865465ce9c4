namespace Runstream.Query.Media;

/// <summary>A media key of a run: the kind of its latest value and the steps it was logged at.</summary>
public sealed record MediaKey(string Key, string Kind, long Steps, long FirstStep, long LastStep);
