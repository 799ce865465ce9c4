using Runstream.Ingest;
using Runstream.ServiceDefaults;

// `healthcheck`: the container image's health check (HealthCheckCommand), through the gRPC health service.
if (HealthCheckCommand.IsRequested(args))
    return await HealthCheckCommand.RunAsync(args, GrpcHealthCheck.ServingAsync);

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults("runstream-ingest");
builder.AddIngest();

var app = builder.Build();
app.MapIngest();
app.MapHealthEndpoints();
app.Run();
return 0;
