using Runstream.Query;
using Runstream.ServiceDefaults;
using Runstream.Store;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults("runstream-query");
builder.AddRunstreamStore(runAsyncProjections: false);
builder.AddQueryApi();

var app = builder.Build();
app.MapQueryApi();
app.MapHealthEndpoints();
app.Run();
