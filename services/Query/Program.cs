using Runstream.Query;
using Runstream.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults("runstream-query");
builder.AddQueryApi();

var app = builder.Build();
app.MapQueryApi();
app.MapHealthEndpoints();
app.Run();
