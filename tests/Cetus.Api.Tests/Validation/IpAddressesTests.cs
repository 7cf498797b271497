using Cetus.Api.Validation;
using Xunit;

namespace Cetus.Api.Tests.Validation;

public sealed class IpAddressesTests
{
    private static readonly FieldPath Ip = FieldPath.Root("ip");

    [Theory]
    [InlineData("10.0.0.1", true)]
    [InlineData("010.000.000.001", true)]
    [InlineData("2001:db8::1", true)]
    [InlineData("1", false)]
    [InlineData("10.0.0", false)]
    [InlineData("10.0.0.256", false)]
    [InlineData("fe80::1%eth0", false)]
    [InlineData("", false)]
    public void CheckIp_FollowsGoParsing(string value, bool valid) => Assert.Equal(valid, !IpAddresses.CheckIp(Ip, value).Any());

    [Theory]
    [InlineData("10.0.0.0/8", true)]
    [InlineData("2001:db8::/64", true)]
    [InlineData("10.0.0.0/33", false)]
    [InlineData("10.0.0.0", false)]
    public void CheckCidr(string value, bool valid) => Assert.Equal(valid, !IpAddresses.CheckCidr(Ip, value).Any());

    [Theory]
    [InlineData("10.1.2.3", "")]
    [InlineData("0.0.0.0", "ip: Invalid value: \"0.0.0.0\": may not be unspecified (0.0.0.0)")]
    [InlineData("127.0.0.1", "ip: Invalid value: \"127.0.0.1\": may not be in the loopback range (127.0.0.0/8, ::1/128)")]
    [InlineData("169.254.169.254", "ip: Invalid value: \"169.254.169.254\": may not be in the link-local range (169.254.0.0/16, fe80::/10)")]
    [InlineData("224.0.0.1", "ip: Invalid value: \"224.0.0.1\": may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)")]
    [InlineData("fe80::1", "ip: Invalid value: \"fe80::1\": may not be in the link-local range (169.254.0.0/16, fe80::/10)")]
    public void CheckNonSpecial_RejectsAddressesEndpointsMayNotUse(string value, string message) =>
        Assert.Equal(message.Length == 0 ? [] : [message], IpAddresses.CheckNonSpecial(Ip, value).Select(e => e.Message));
}
