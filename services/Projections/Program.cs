using JasperFx;
using Runstream.Projections.Bus;
using Runstream.Projections.Content;
using Runstream.Projections.Rebuilds;
using Runstream.Projections.Retention;
using Runstream.ServiceDefaults;
using Runstream.Store;

// `healthcheck`: the container image's health check (HealthCheckCommand), before JasperFx reads the arguments.
if (HealthCheckCommand.IsRequested(args))
    return await HealthCheckCommand.RunAsync(args);

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults("runstream-projections");
builder.AddRunstreamStore(runAsyncProjections: true);
builder.AddRunFrameConsumer();
builder.AddBlobCollector();
builder.AddRetention();
builder.AddRebuilds();

var app = builder.Build();
app.MapHealthEndpoints();

// JasperFx commands give the explicit schema step: `Runstream.Projections db-apply`.
return await app.RunJasperFxCommands(args);
