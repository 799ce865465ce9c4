namespace Runstream.Store.Rebuilds;

public enum RebuildState { Queued, Running, Succeeded, Failed }
