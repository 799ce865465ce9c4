using Runstream.Ingest;
using Runstream.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults("runstream-ingest");
builder.AddIngest();

var app = builder.Build();
app.MapIngest();
app.MapHealthEndpoints();
app.Run();
