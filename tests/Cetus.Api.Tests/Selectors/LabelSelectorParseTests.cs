using Cetus.Api.Selectors;
using Xunit;

namespace Cetus.Api.Tests.Selectors;

public sealed class LabelSelectorParseTests
{
    [Theory]
    [InlineData("a=b", "a=b", true)]
    [InlineData("a=b", "a=c", false)]
    [InlineData("a=b", "", false)]
    [InlineData("a==b", "a=b", true)]
    [InlineData("a==b", "a=c", false)]
    [InlineData("a!=b", "a=c", true)]
    [InlineData("a!=b", "", true)]
    [InlineData("a!=b", "a=b", false)]
    [InlineData("a in (b,c)", "a=c", true)]
    [InlineData("a in (b,c)", "a=d", false)]
    [InlineData("a in (b,c)", "", false)]
    [InlineData("a notin (b,c)", "a=d", true)]
    [InlineData("a notin (b,c)", "", true)]
    [InlineData("a notin (b,c)", "a=b", false)]
    [InlineData("a", "a=", true)]
    [InlineData("a", "b=c", false)]
    [InlineData("!a", "b=c", true)]
    [InlineData("!a", "a=x", false)]
    [InlineData("a>1", "a=2", true)]
    [InlineData("a>1", "a=1", false)]
    [InlineData("a>1", "a=x", false)]
    [InlineData("a<1", "a=-3", true)]
    [InlineData("a<1", "", false)]
    [InlineData("a=b,c=d", "a=b,c=d", true)]
    [InlineData("a=b,c=d", "a=b,c=e", false)]
    [InlineData("  a = b ,\tc  ", "a=b,c=", true)]
    [InlineData("a=", "a=", true)]
    [InlineData("a=", "a=x", false)]
    [InlineData("a in ()", "a=", true)]
    [InlineData("x in (foo,,baz)", "x=", true)]
    [InlineData("x in (foo,)", "x=", true)]
    [InlineData("in in (in)", "in=in", true)]
    [InlineData("notin notin (in,notin)", "notin=x", true)]
    [InlineData("example.com/app=web", "example.com/app=web", true)]
    [InlineData("a=in", "a=in", true)]
    public void Parse_Requirement_MatchesLabelsAsKubernetes(string selector, string labels, bool expected)
    {
        var parsed = LabelSelector.Parse(selector);

        Assert.Equal(expected, parsed.Matches(Labels(labels)));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void Parse_EmptyOrBlank_IsEmptyAndMatchesEverything(string? selector)
    {
        var parsed = LabelSelector.Parse(selector);

        Assert.True(parsed.IsEmpty);
        Assert.Empty(parsed.Requirements);
        Assert.True(parsed.Matches(null));
        Assert.True(parsed.Matches(Labels("a=b")));
    }

    [Theory]
    [InlineData("b=1,a in (z,y)", "a in (y,z),b=1")]
    [InlineData("!a,a", "!a,a")]
    [InlineData("a notin (x)", "a notin (x)")]
    [InlineData("x==1, y != 2", "x==1,y!=2")]
    [InlineData("z, y>3", "y>3,z")]
    public void ToString_SortsByKeyAndPrintsCanonically(string selector, string expected)
    {
        Assert.Equal(expected, LabelSelector.Parse(selector).ToString());
    }

    [Fact]
    public void Parse_SetValues_AreDeduplicatedAndSorted()
    {
        var requirement = Assert.Single(LabelSelector.Parse("a in (c, b, c)").Requirements);

        Assert.Equal("a", requirement.Key);
        Assert.Equal(SelectorOperator.In, requirement.Operator);
        Assert.Equal(["b", "c"], requirement.Values);
    }

    [Theory]
    [InlineData("app=web", "app", true, "web")]
    [InlineData("app==web", "app", true, "web")]
    [InlineData("app in (web)", "app", true, "web")]
    [InlineData("app in (web,db)", "app", false, "")]
    [InlineData("app!=web", "app", false, "")]
    [InlineData("tier=db", "app", false, "")]
    public void TryGetExactMatch_FindsSingleRequiredValue(string selector, string key, bool found, string value)
    {
        Assert.Equal(found, LabelSelector.Parse(selector).TryGetExactMatch(key, out var actual));
        Assert.Equal(value, actual);
    }

    internal static Dictionary<string, string> Labels(string text) =>
        text.Length == 0
            ? []
            : text.Split(',').Select(pair => pair.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
}
