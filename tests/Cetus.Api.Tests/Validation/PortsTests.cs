using Cetus.Api.Validation;
using Xunit;

namespace Cetus.Api.Tests.Validation;

public sealed class PortsTests
{
    [Theory]
    [InlineData("http", new string[0])]
    [InlineData("web-8080", new string[0])]
    [InlineData("8080", new[] { "must contain at least one letter (a-z)" })]
    [InlineData("HTTP", new[] { "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)", "must contain at least one letter (a-z)" })]
    [InlineData("-web", new[] { "must not begin or end with a hyphen" })]
    [InlineData("a--b", new[] { "must not contain consecutive hyphens" })]
    [InlineData("abcdefghijklmnop", new[] { "must be no more than 15 characters" })]
    public void CheckName_GivesEveryReason(string name, string[] messages) => Assert.Equal(messages, Ports.CheckName(name));

    [Theory]
    [InlineData(1, true)]
    [InlineData(65535, true)]
    [InlineData(0, false)]
    [InlineData(65536, false)]
    public void CheckNumber(long port, bool valid) => Assert.Equal(valid, Ports.CheckNumber(port).Count == 0);
}
