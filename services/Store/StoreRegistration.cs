using System.Text.Json.Serialization;
using JasperFx;
using JasperFx.Events;
using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using JasperFx.OpenTelemetry;
using Marten;
using Npgsql;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Runstream.Store.Artifacts;
using Runstream.Store.ConsoleOutput;
using Runstream.Store.Metrics;
using Runstream.Store.Projects;
using Runstream.Store.Runs;
using Runstream.Store.Versioning;
using Weasel.Core;

namespace Runstream.Store;

public sealed class StoreOptions
{
    /// <summary>PostgreSQL schema that holds the event store, the read models and the metric history.</summary>
    public string Schema { get; set; } = "runstream";

    /// <summary>
    /// Create or update schema objects on start-up. On in development and tests; in production the
    /// schema is applied by an explicit step (<c>Runstream.Projections db-apply</c>) before a rollout.
    /// </summary>
    public bool ApplySchemaOnStartup { get; set; } = true;
}

public static class StoreRegistration
{
    /// <summary>
    /// Registers the Marten store with Runstream's events, projections and read models.
    /// Only the Projections service runs the async daemon; Query reads what it builds.
    /// </summary>
    private static void SmallPages(AsyncOptions daemon)
    {
        daemon.BatchSize = 100;
        daemon.MaximumHopperSize = 300;
    }

    /// <param name="statementTimeout">Set, PostgreSQL cancels any statement of this service that runs longer (Query's routes).</param>
    public static IHostApplicationBuilder AddRunstreamStore(this IHostApplicationBuilder builder, bool runAsyncProjections, TimeSpan? statementTimeout = null)
    {
        var options = builder.Configuration.GetSection("Store").Get<StoreOptions>() ?? new StoreOptions();
        var connectionString = new NpgsqlConnectionStringBuilder(builder.Configuration.GetConnectionString("Postgres")
            ?? throw new InvalidOperationException("ConnectionStrings:Postgres is not set."));
        if (statementTimeout is { } timeout)
            connectionString.Options = $"{connectionString.Options} -c statement_timeout={(long)timeout.TotalMilliseconds}".Trim();

        // One connection pool for Marten and for the set-based SQL on the metric history.
        var dataSource = NpgsqlDataSource.Create(connectionString);
        builder.Services.AddSingleton(dataSource);
        builder.Services.AddSingleton(options);

        var marten = builder.Services.AddMarten(store =>
        {
            store.Connection(dataSource);
            store.DatabaseSchemaName = options.Schema;
            store.UseSystemTextJsonForSerialization(EnumStorage.AsString, Casing.CamelCase, json =>
                // NaN and +/-Inf are legitimate metric values and are kept as such.
                json.NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals);
            store.AutoCreateSchemaObjects = options.ApplySchemaOnStartup ? AutoCreate.CreateOrUpdate : AutoCreate.None;
            // Spans for sessions and connections, so a frame's trace reaches its SQL.
            store.OpenTelemetry.TrackConnections = TrackLevel.Normal;
            store.OpenTelemetry.TrackEventCounters();

            store.Events.StreamIdentity = StreamIdentity.AsString;
            // Every event type under a fixed, versioned name, and the upcasters for the older shapes still stored.
            store.AddVersionedEvents();

            store.Projections.Add(new RunDetailsProjection(), ProjectionLifecycle.Inline);
            store.Projections.Add(new RunEnvironmentProjection(), ProjectionLifecycle.Inline);
            store.Projections.Add(new MetricHistoryProjection(options.Schema), ProjectionLifecycle.Inline);
            store.Projections.Add(new ConsoleProjection(options.Schema), ProjectionLifecycle.Inline);
            store.Projections.Add(new Media.MediaHistoryProjection(options.Schema), ProjectionLifecycle.Inline);
            store.Projections.Add(new Views.SavedViewProjection(), ProjectionLifecycle.Inline);
            // Metric frames are large events (up to ~100 KB): the daemon fetches and holds few at a time.
            store.Projections.Add(new ProjectOverviewProjection(), ProjectionLifecycle.Async, SmallPages);
            store.Projections.Add(new ArtifactCollectionProjection(), ProjectionLifecycle.Async, SmallPages);
            store.Storage.ExtendedSchemaObjects.Add(MetricHistoryTable.Define(options.Schema));
            store.Storage.ExtendedSchemaObjects.Add(ConsoleTable.Define(options.Schema));
            store.Storage.ExtendedSchemaObjects.Add(Media.MediaCellsTable.Define(options.Schema));

            store.Schema.For<RunDetails>().Index(run => run.Project);
            store.Schema.For<Views.SavedView>().Index(view => view.ProjectKey);
            store.Schema.For<RunLiveness>();
            store.Schema.For<ProgressProbeAnswer>();
            store.Schema.For<RunNumbers>().UseOptimisticConcurrency(true);
            store.Schema.For<ParkedFrame>().Index(parked => parked.RunKey);
            store.Schema.For<Security.ApiKey>().Index(key => key.Entity);
            store.Schema.For<Content.StoredContent>().Index(content => content.Entity);
            store.Schema.For<Retention.PurgedRun>();
            store.Schema.For<Retention.PurgeRequest>();
            store.Schema.For<Rebuilds.RebuildRequest>();
        }).UseLightweightSessions();

        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.Configure<Security.KeyCheckOptions>(builder.Configuration.GetSection("Security"));
        builder.Services.AddSingleton<Security.ApiKeyValidator>();

        if (options.ApplySchemaOnStartup)
            marten.ApplyAllDatabaseChangesOnStartup();
        if (runAsyncProjections)
            marten.AddAsyncDaemon(DaemonMode.HotCold);
        return builder;
    }
}
