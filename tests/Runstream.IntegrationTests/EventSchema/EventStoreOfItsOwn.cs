using Marten;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using Runstream.Store;
using StoreSettings = Runstream.Store.StoreOptions;

namespace Runstream.IntegrationTests.EventSchema;

/// <summary>
/// The store exactly as the services register it (names, upcasters, projections), on a database of its own
/// that is dropped afterwards: no services, no queues, so stored rows can be planted and read back alone.
/// </summary>
public sealed class EventStoreOfItsOwn : IAsyncLifetime
{
    private readonly string _database = $"runstream_events_{Guid.NewGuid().ToString("N")[..10]}";
    private string _adminConnection = "";
    private IHost? _host;

    public IDocumentStore Store => _host!.Services.GetRequiredService<IDocumentStore>();
    public NpgsqlDataSource Database => _host!.Services.GetRequiredService<NpgsqlDataSource>();
    public string Schema => _host!.Services.GetRequiredService<StoreSettings>().Schema;

    public async Task InitializeAsync()
    {
        var postgres = Environment.GetEnvironmentVariable("ConnectionStrings__Postgres")
            ?? "Host=127.0.0.1;Port=55432;Database=runstream;Username=postgres";
        _adminConnection = new NpgsqlConnectionStringBuilder(postgres) { Database = "postgres" }.ConnectionString;
        await ExecuteAsync($"create database {_database}");

        var builder = Host.CreateApplicationBuilder();
        builder.Configuration["ConnectionStrings:Postgres"] = new NpgsqlConnectionStringBuilder(postgres) { Database = _database }.ConnectionString;
        builder.AddRunstreamStore(runAsyncProjections: false);
        _host = builder.Build();
        // Starting applies the schema, as the services do in development.
        await _host.StartAsync();
    }

    public async Task DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.StopAsync();
            _host.Dispose();
        }
        await ExecuteAsync($"drop database if exists {_database} with (force)");
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var admin = new NpgsqlConnection(_adminConnection);
        await admin.OpenAsync();
        await using var command = new NpgsqlCommand(sql, admin);
        await command.ExecuteNonQueryAsync();
    }
}
