using System.Net;
using Runstream.Store.Security;

namespace Runstream.UnitTests;

public sealed class KeyCheckClientTests
{
    [Theory]
    [InlineData("203.0.113.7", "203.0.113.7")]
    [InlineData("::ffff:203.0.113.7", "203.0.113.7")]
    [InlineData("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64")]
    [InlineData("2001:db8:1:2::1", "2001:db8:1:2::/64")]
    public void Failed_lookups_are_counted_per_IPv4_address_and_per_IPv6_64(string address, string partition) =>
        Assert.Equal(partition, ApiKeyValidator.ClientOf(IPAddress.Parse(address)));

    [Fact]
    public void A_request_without_an_address_shares_one_budget() =>
        Assert.Equal("unknown", ApiKeyValidator.ClientOf(null));
}
