using Cetus.ApiServer.Security;
using Cetus.Testing;
using Xunit;

namespace Cetus.ApiServer.Tests.Security;

public sealed class TokenFileTests
{
    [Fact]
    public void Token_MapsToUserUidAndQuotedGroups()
    {
        var file = TokenFile.Parse("31ada4fd-adec,alice,1001,\"system:masters,dev ops\"\nplain,bob,1002\n");

        var alice = file.Authenticate("31ada4fd-adec");
        var bob = file.Authenticate("plain");

        Assert.Equal(2, file.Count);
        Assert.Equal("alice", alice!.Name);
        Assert.Equal("1001", alice.Uid);
        Assert.Equal(["system:masters", "dev ops"], alice.Groups);
        Assert.Equal("bob", bob!.Name);
        Assert.Empty(bob.Groups);
    }

    [Theory]
    [InlineData("")]
    [InlineData("31ada4fd-ade")]
    [InlineData("31ada4fd-adecX")]
    [InlineData("alice")]
    public void UnknownToken_AuthenticatesNobody(string token)
    {
        var file = TokenFile.Parse("31ada4fd-adec,alice,1001\n");

        Assert.Null(file.Authenticate(token));
    }

    [Fact]
    public void SingleGroup_WithoutQuotes_IsOneGroup()
    {
        var file = TokenFile.Parse("t,carol,7,system:nodes");

        Assert.Equal(["system:nodes"], file.Authenticate("t")!.Groups);
    }

    [Fact]
    public void FewerThanThreeColumns_IsAnError_NamingTheLine()
    {
        var error = Assert.Throws<FormatException>(() => TokenFile.Parse("a,alice,1\nb,bob\n"));

        Assert.Contains("line 2", error.Message, StringComparison.Ordinal);
        Assert.Contains("at least 3 columns", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EmptyTokens_AreSkipped_BlankLinesAndCrLfAreFine()
    {
        var file = TokenFile.Parse(",nobody,0\r\n\r\nt1,alice,1\r\n\nt2,bob,2");

        Assert.Equal(2, file.Count);
        Assert.Null(file.Authenticate(""));
        Assert.Equal("bob", file.Authenticate("t2")!.Name);
    }

    [Fact]
    public void DuplicateToken_TakesTheLaterRecord()
    {
        var file = TokenFile.Parse("t,first,1\nt,second,2\n");

        Assert.Equal(1, file.Count);
        Assert.Equal("second", file.Authenticate("t")!.Name);
    }

    [Fact]
    public void QuotedFields_KeepEscapedQuotesAndCommas()
    {
        var file = TokenFile.Parse("\"to,ken\",\"Dan \"\"the man\"\"\",9,\"a,b,c\"");

        var user = file.Authenticate("to,ken");
        Assert.Equal("Dan \"the man\"", user!.Name);
        Assert.Equal(["a", "b", "c"], user.Groups);
    }

    [Theory]
    [InlineData("to\"ken,alice,1")]
    [InlineData("\"token,alice,1")]
    [InlineData("\"tok\"en,alice,1")]
    public void MalformedQuotes_AreErrors(string content)
    {
        Assert.Throws<FormatException>(() => TokenFile.Parse(content));
    }

    [Fact]
    public void Load_ReadsTheFile_AndNamesItInErrors()
    {
        using var dir = new TempDirectory("tokens");
        var good = dir.File("tokens.csv");
        var bad = dir.File("bad.csv");
        File.WriteAllText(good, "abc,admin,admin,\"system:masters\"\n");
        File.WriteAllText(bad, "abc,admin\n");

        Assert.Equal(["system:masters"], TokenFile.Load(good).Authenticate("abc")!.Groups);
        var error = Assert.Throws<FormatException>(() => TokenFile.Load(bad));
        Assert.Contains(bad, error.Message, StringComparison.Ordinal);
    }
}
