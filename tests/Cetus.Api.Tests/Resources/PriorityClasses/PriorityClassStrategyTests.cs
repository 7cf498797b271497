using Cetus.Api.Resources.PriorityClasses;
using k8s.Models;
using Xunit;

namespace Cetus.Api.Tests.Resources.PriorityClasses;

public sealed class PriorityClassStrategyTests
{
    public static TheoryData<string, string> Rejected => new()
    {
        { "above the user maximum", "value: Forbidden: maximum allowed value of a user defined priority is 1000000000" },
        { "unknown system name", "metadata.name: Forbidden: priority class names with 'system-' prefix are reserved for system use only. error: system-mine is not a known system priority class" },
        { "system name, wrong value", "metadata.name: Forbidden: priority class names with 'system-' prefix are reserved for system use only. error: value of system-node-critical PriorityClass must be 2000001000" },
        { "system name, global default", "metadata.name: Forbidden: priority class names with 'system-' prefix are reserved for system use only. error: globalDefault of system-cluster-critical PriorityClass must be False" },
        { "unknown policy", "preemptionPolicy: Unsupported value: \"Sometimes\": supported values: \"Never\", \"PreemptLowerPriority\"" },
    };

    private static readonly Dictionary<string, Action<V1PriorityClass>> Edits = new()
    {
        ["above the user maximum"] = c => c.Value = 1_000_000_001,
        ["unknown system name"] = c => c.Metadata.Name = "system-mine",
        ["system name, wrong value"] = c => (c.Metadata.Name, c.Value) = ("system-node-critical", 2_000_000_000),
        ["system name, global default"] = c => (c.Metadata.Name, c.Value, c.GlobalDefault) = ("system-cluster-critical", 2_000_000_000, true),
        ["unknown policy"] = c => c.PreemptionPolicy = "Sometimes",
    };

    [Theory]
    [MemberData(nameof(Rejected))]
    public void Create_RejectsWithUpstreamMessage(string name, string message)
    {
        Assert.Contains(message, StrategyRun.Create(Valid(Edits[name])));
    }

    [Fact]
    public void Create_UserMaximumAndBuiltInClasses_AreValid_PolicyDefaultsToPreemptLowerPriority()
    {
        var highest = Valid(c => c.Value = SystemPriorityClasses.HighestUserDefinablePriority);

        Assert.Empty(StrategyRun.Create(highest));
        Assert.Equal("PreemptLowerPriority", highest.PreemptionPolicy);
        Assert.All(SystemPriorityClasses.Create(), c => Assert.Empty(StrategyRun.Create(c)));
        Assert.Equal([2_000_001_000, 2_000_000_000], SystemPriorityClasses.Create().Select(c => c.Value ?? 0));
    }

    [Fact]
    public void Update_ValueAndPreemptionPolicyAreImmutable_DescriptionIsNot()
    {
        var old = StrategyRun.Created(Valid());
        var described = StrategyRun.Copy(old);
        described.Description = "batch jobs";
        var revalued = StrategyRun.Copy(old);
        revalued.Value = 5;
        var repolicied = StrategyRun.Copy(old);
        repolicied.PreemptionPolicy = "Never";

        Assert.Empty(StrategyRun.Update(described, old));
        Assert.Equal(["value: Forbidden: may not be changed in an update."], StrategyRun.Update(revalued, old));
        Assert.Equal(["preemptionPolicy: Invalid value: \"Never\": field is immutable"], StrategyRun.Update(repolicied, old));
    }

    private static V1PriorityClass Valid(Action<V1PriorityClass>? edit = null)
    {
        var priorityClass = new V1PriorityClass { Metadata = Meta.Named("high", null), Value = 1000 };
        edit?.Invoke(priorityClass);
        return priorityClass;
    }
}
