using Cetus.Api.Selectors;
using k8s.Models;
using Xunit;

namespace Cetus.Api.Tests.Selectors;

public sealed class LabelSelectorFromObjectTests
{
    [Fact]
    public void FromLabelSelector_Null_MatchesNothing()
    {
        var selector = LabelSelector.FromLabelSelector(null);

        Assert.False(selector.IsEmpty);
        Assert.True(selector.MatchesNothing);
        Assert.False(selector.Matches(null));
        Assert.False(selector.Matches(LabelSelectorParseTests.Labels("a=b")));
        Assert.Equal(string.Empty, selector.ToString());
    }

    [Fact]
    public void FromLabelSelector_Empty_MatchesEverything()
    {
        var selector = LabelSelector.FromLabelSelector(new V1LabelSelector { MatchLabels = new Dictionary<string, string>(), MatchExpressions = [] });

        Assert.True(selector.IsEmpty);
        Assert.True(selector.Matches(null));
        Assert.True(selector.Matches(LabelSelectorParseTests.Labels("a=b")));
    }

    [Theory]
    [InlineData("app=web,tier=db", true)]
    [InlineData("app=web,tier=cache", true)]
    [InlineData("app=web,tier=db,canary=", false)]
    [InlineData("app=web,tier=front", false)]
    [InlineData("app=api,tier=db", false)]
    [InlineData("app=web", false)]
    [InlineData("app=web,tier=db,env=prod", false)]
    public void FromLabelSelector_AndsMatchLabelsAndEveryExpressionOperator(string labels, bool expected)
    {
        var selector = LabelSelector.FromLabelSelector(new V1LabelSelector
        {
            MatchLabels = new Dictionary<string, string> { ["app"] = "web" },
            MatchExpressions =
            [
                new V1LabelSelectorRequirement { Key = "tier", OperatorProperty = "In", Values = ["db", "cache"] },
                new V1LabelSelectorRequirement { Key = "env", OperatorProperty = "NotIn", Values = ["prod"] },
                new V1LabelSelectorRequirement { Key = "tier", OperatorProperty = "Exists" },
                new V1LabelSelectorRequirement { Key = "canary", OperatorProperty = "DoesNotExist" },
            ],
        });

        Assert.Equal(expected, selector.Matches(LabelSelectorParseTests.Labels(labels)));
        Assert.Equal("app=web,!canary,env notin (prod),tier in (cache,db),tier", selector.ToString());
    }

    public static TheoryData<string, string?, string[]?, string> Invalid => new()
    {
        { "app", "Equals", ["a"], "\"Equals\" is not a valid label selector operator" },
        { "app", "Exists", ["a"], "values: Invalid value: []string{\"a\"}: values set must be empty for exists and does not exist" },
        { "app", "In", null, "values: Invalid value: []string(nil): for 'in', 'notin' operators, values set can't be empty" },
        { "a b", "Exists", null, "key: Invalid value: \"a b\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')" },
        { "app", "In", ["ok\n"], "values[0][app]: Invalid value: \"ok\\n\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')" },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void FromLabelSelector_InvalidExpression_ThrowsWithKubernetesMessage(string key, string? op, string[]? values, string message)
    {
        var selector = new V1LabelSelector { MatchExpressions = [new V1LabelSelectorRequirement { Key = key, OperatorProperty = op, Values = values }] };

        var error = Assert.Throws<SelectorException>(() => LabelSelector.FromLabelSelector(selector));

        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void FromSet_RequiresEveryPair_AndEmptyMatchesEverything()
    {
        var selector = LabelSelector.FromSet(new Dictionary<string, string> { ["b"] = "2", ["a"] = "1" });

        Assert.True(selector.Matches(LabelSelectorParseTests.Labels("a=1,b=2,c=3")));
        Assert.False(selector.Matches(LabelSelectorParseTests.Labels("a=1")));
        Assert.Equal("a=1,b=2", selector.ToString());
        Assert.True(LabelSelector.FromSet(null).IsEmpty);
    }

    [Fact]
    public void Create_EqualityWithTwoValues_IsRefused()
    {
        var error = Assert.Throws<SelectorException>(() => LabelRequirement.Create("a", SelectorOperator.Equal, ["x", "y"]));

        Assert.Equal("values: Invalid value: []string{\"x\", \"y\"}: exact-match compatibility requires one single value", error.Message);
    }
}
