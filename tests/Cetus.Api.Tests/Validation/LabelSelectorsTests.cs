using Cetus.Api.Validation;
using k8s.Models;
using Xunit;

namespace Cetus.Api.Tests.Validation;

public sealed class LabelSelectorsTests
{
    private static readonly Dictionary<string, string> Labels = new() { ["app"] = "web", ["tier"] = "front" };

    public static TheoryData<string, bool> MatchCases => new()
    {
        { "null selects nothing", false },
        { "empty selects everything", true },
        { "matching labels", true },
        { "different value", false },
        { "in", true },
        { "not in", false },
        { "exists", true },
        { "does not exist", false },
        { "unknown operator", false },
    };

    private static readonly Dictionary<string, V1LabelSelector?> Selectors = new()
    {
        ["null selects nothing"] = null,
        ["empty selects everything"] = new V1LabelSelector(),
        ["matching labels"] = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "web" } },
        ["different value"] = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "db" } },
        ["in"] = Expression("tier", "In", "front", "back"),
        ["not in"] = Expression("tier", "NotIn", "front"),
        ["exists"] = Expression("app", "Exists"),
        ["does not exist"] = Expression("app", "DoesNotExist"),
        ["unknown operator"] = Expression("app", "Like", "w"),
    };

    [Theory]
    [MemberData(nameof(MatchCases))]
    public void Matches(string name, bool expected) => Assert.Equal(expected, LabelSelectors.Matches(Selectors[name], Labels));

    [Theory]
    [InlineData("In", 0, false)]
    [InlineData("In", 1, true)]
    [InlineData("Exists", 1, false)]
    [InlineData("Exists", 0, true)]
    [InlineData("Like", 1, false)]
    public void IsWellFormed_ChecksOperatorsAndValues(string op, int values, bool expected) =>
        Assert.Equal(expected, LabelSelectors.IsWellFormed(Expression("app", op, Enumerable.Repeat("web", values).ToArray())));

    [Fact]
    public void IsEmpty_OnlyForASelectorWithoutRequirements()
    {
        Assert.True(LabelSelectors.IsEmpty(new V1LabelSelector { MatchLabels = new Dictionary<string, string>() }));
        Assert.False(LabelSelectors.IsEmpty(null));
        Assert.False(LabelSelectors.IsEmpty(Expression("app", "Exists")));
    }

    private static V1LabelSelector Expression(string key, string op, params string[] values) =>
        new() { MatchExpressions = [new V1LabelSelectorRequirement { Key = key, OperatorProperty = op, Values = values.Length == 0 ? null : values }] };
}
