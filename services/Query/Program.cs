using Runstream.Query;
using Runstream.ServiceDefaults;

// `healthcheck`: the container image's health check (HealthCheckCommand).
if (HealthCheckCommand.IsRequested(args))
    return await HealthCheckCommand.RunAsync(args);

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults("runstream-query");
builder.AddQueryApi();

var app = builder.Build();
app.MapQueryApi();
app.MapHealthEndpoints();
app.Run();
return 0;
