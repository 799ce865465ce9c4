using JasperFx.Events;
using Marten.Events.Aggregation;

namespace Runstream.Store.Runs;

/// <summary>Inline: a run's environment as its start recorded it (a run resumed elsewhere keeps the first).</summary>
public sealed class RunEnvironmentProjection : SingleStreamProjection<RunEnvironmentDetails, string>
{
    public override RunEnvironmentDetails? Evolve(RunEnvironmentDetails? details, string id, IEvent e) =>
        e.Data is RunStarted { Environment: { } environment } ? new RunEnvironmentDetails { Id = id, Environment = environment } : details;
}
