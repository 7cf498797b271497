using Cetus.Kubelet.Env;
using Xunit;

namespace Cetus.Kubelet.Tests.Env;

/// <summary>$(VAR) expansion, with the cases of Kubernetes' expansion tests.</summary>
public sealed class ExpansionTests
{
    private static readonly Dictionary<string, string> Vars = new() { ["VAR_A"] = "A", ["VAR_B"] = "B", ["VAR_EMPTY"] = string.Empty };

    [Theory]
    [InlineData("$(VAR_A)", "A")]
    [InlineData("___$(VAR_B)___", "___B___")]
    [InlineData("$(VAR_A)-$(VAR_B)", "A-B")]
    [InlineData("$(VAR_EMPTY)", "")]
    [InlineData("$(VAR_NOPE)", "$(VAR_NOPE)")]
    [InlineData("$$(VAR_A)", "$(VAR_A)")]
    [InlineData("$$$(VAR_A)", "$A")]
    [InlineData("$$$$(VAR_A)", "$$(VAR_A)")]
    [InlineData("$(VAR_A", "$(VAR_A")]
    [InlineData("$VAR_A", "$VAR_A")]
    [InlineData("f00$", "f00$")]
    [InlineData("$()", "$()")]
    [InlineData("no vars", "no vars")]
    public void Expand_FollowsKubernetesRules(string input, string expected) =>
        Assert.Equal(expected, Expansion.Expand(input, name => Vars.TryGetValue(name, out var value) ? value : null));
}
