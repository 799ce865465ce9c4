namespace Runstream.Store.Runs;

/// <summary>
/// Projections' answer to a progress probe that Ingest put in a run's queue behind its frames:
/// when it exists, every frame Ingest accepted before the probe is applied or parked.
/// </summary>
public sealed class ProgressProbeAnswer
{
    public string Id { get; set; } = "";
    public DateTimeOffset AnsweredAt { get; set; }
}
