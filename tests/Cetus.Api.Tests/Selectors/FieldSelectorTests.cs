using Cetus.Api.Selectors;
using Xunit;

namespace Cetus.Api.Tests.Selectors;

public sealed class FieldSelectorTests
{
    [Theory]
    [InlineData("metadata.name=web", "metadata.name=web", true)]
    [InlineData("metadata.name=web", "metadata.name=db", false)]
    [InlineData("metadata.name==web", "metadata.name=web", true)]
    [InlineData("metadata.name!=web", "metadata.name=db", true)]
    [InlineData("metadata.name!=web", "metadata.name=web", false)]
    [InlineData("spec.nodeName=", "", true)]
    [InlineData("spec.nodeName=", "spec.nodeName=n1", false)]
    [InlineData("spec.nodeName!=", "spec.nodeName=n1", true)]
    [InlineData("spec.nodeName!=", "", false)]
    [InlineData("status.phase=Running,spec.nodeName=n1", "status.phase=Running,spec.nodeName=n1", true)]
    [InlineData("status.phase=Running,spec.nodeName=n1", "status.phase=Pending,spec.nodeName=n1", false)]
    [InlineData("a=b!c", "a=b!c", true)]
    public void Parse_Term_MatchesFieldsWithMissingOnesEmpty(string selector, string fields, bool expected)
    {
        var parsed = FieldSelector.Parse(selector);

        Assert.Equal(expected, parsed.Matches(Fields(fields)));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData(",,")]
    public void Parse_Empty_MatchesEverything(string? selector)
    {
        var parsed = FieldSelector.Parse(selector);

        Assert.True(parsed.IsEmpty);
        Assert.True(parsed.Matches(Fields("a=b")));
    }

    [Fact]
    public void Requirements_AreSortedTermsWithOperators()
    {
        var parsed = FieldSelector.Parse("spec.nodeName!=n1,metadata.name==web");

        Assert.Equal(
            [new FieldRequirement("metadata.name", SelectorOperator.Equal, "web"), new FieldRequirement("spec.nodeName", SelectorOperator.NotEqual, "n1")],
            parsed.Requirements);
        Assert.Equal("metadata.name=web,spec.nodeName!=n1", parsed.ToString());
    }

    [Theory]
    [InlineData(@"metadata.name=a\,b", "a,b")]
    [InlineData(@"metadata.name=a\=b", "a=b")]
    [InlineData(@"metadata.name=a\\b", @"a\b")]
    [InlineData(@"metadata.name=\\\,\=", @"\,=")]
    public void Parse_EscapedValue_IsUnescaped(string selector, string value)
    {
        var requirement = Assert.Single(FieldSelector.Parse(selector).Requirements);

        Assert.Equal(value, requirement.Value);
        Assert.Equal(selector, FieldSelector.Parse(selector).ToString());
    }

    [Fact]
    public void EscapeValue_RoundTripsThroughParse()
    {
        var selector = FieldSelector.Parse("metadata.name=" + FieldSelector.EscapeValue(@"x,y=z\w"));

        Assert.True(selector.TryGetExactMatch("metadata.name", out var value));
        Assert.Equal(@"x,y=z\w", value);
    }

    [Theory]
    [InlineData("foo", "invalid selector: 'foo'; can't understand 'foo'")]
    [InlineData("a=b,foo", "invalid selector: 'a=b,foo'; can't understand 'foo'")]
    [InlineData("a=b=c", "invalid field selector: unescaped character in value: 61")]
    [InlineData(@"a=b\,c,d", "invalid selector: 'a=b\\,c,d'; can't understand 'd'")]
    [InlineData(@"a=b\x", @"invalid field selector: invalid escape sequence: \x")]
    [InlineData(@"a=b\", @"invalid field selector: invalid escape sequence: \")]
    public void Parse_Invalid_ThrowsWithKubernetesMessage(string selector, string message)
    {
        var error = Assert.Throws<SelectorException>(() => FieldSelector.Parse(selector));

        Assert.Equal(message, error.Message);
    }

    [Theory]
    [InlineData("metadata.name=web,spec.nodeName!=n1", "metadata.name", true, "web")]
    [InlineData("metadata.name==web", "metadata.name", true, "web")]
    [InlineData("metadata.name=web,spec.nodeName!=n1", "spec.nodeName", false, "")]
    [InlineData("metadata.name=web", "metadata.namespace", false, "")]
    public void TryGetExactMatch_FindsEqualityTerms(string selector, string field, bool found, string value)
    {
        Assert.Equal(found, FieldSelector.Parse(selector).TryGetExactMatch(field, out var actual));
        Assert.Equal(value, actual);
    }

    private static Dictionary<string, string> Fields(string text) =>
        text.Length == 0
            ? []
            : text.Split(',').Select(pair => pair.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
}
