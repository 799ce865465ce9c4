using Runstream.ServiceDefaults;

namespace Runstream.UnitTests;

public sealed class RabbitMqConnectionTests
{
    [Fact]
    public void One_broker_is_its_uri_and_one_node()
    {
        var connection = RabbitMqConnection.Parse("amqp://guest:secret@127.0.0.1:56720/");
        Assert.Equal(new Uri("amqp://guest:secret@127.0.0.1:56720/"), connection.First);
        Assert.Equal(["127.0.0.1:56720"], connection.Nodes);
    }

    [Fact]
    public void A_clusters_nodes_share_the_credentials_and_virtual_host_of_the_first()
    {
        var connection = RabbitMqConnection.Parse("amqp://runstream:p%40ss@rabbit-0:5672, rabbit-1 ,rabbit-2:5673/runs");
        Assert.Equal(new Uri("amqp://runstream:p%40ss@rabbit-0:5672/runs"), connection.First);
        Assert.Equal(["rabbit-0:5672", "rabbit-1:5672", "rabbit-2:5673"], connection.Nodes);
        Assert.Equal([("rabbit-0", 5672, false), ("rabbit-1", 5672, false), ("rabbit-2", 5673, false)],
            connection.Endpoints().Select(e => (e.HostName, e.Port, e.Ssl.Enabled)));
    }

    [Fact]
    public void Amqps_nodes_default_to_5671_with_tls()
    {
        var connection = RabbitMqConnection.Parse("amqps://u:p@a,b:6000");
        Assert.Equal(["a:5671", "b:6000"], connection.Nodes);
        Assert.All(connection.Endpoints(), endpoint => Assert.True(endpoint.Ssl.Enabled));
    }

    [Theory]
    [InlineData("guest:secret@127.0.0.1:5672")]
    [InlineData("amqp://guest:secret@/")]
    public void A_string_without_scheme_or_host_is_refused_without_its_password(string connectionString)
    {
        var error = Assert.Throws<FormatException>(() => RabbitMqConnection.Parse(connectionString));
        Assert.DoesNotContain("secret", error.Message);
    }
}
