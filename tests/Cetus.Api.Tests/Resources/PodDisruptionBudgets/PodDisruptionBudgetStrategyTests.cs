using k8s.Models;
using Xunit;

namespace Cetus.Api.Tests.Resources.PodDisruptionBudgets;

public sealed class PodDisruptionBudgetStrategyTests
{
    public static TheoryData<string, string> Rejected => new()
    {
        { "both bounds", "spec: Invalid value: policy.PodDisruptionBudgetSpec{MinAvailable:(*intstr.IntOrString)(0xc000000000), Selector:(*v1.LabelSelector)(0xc000000000), MaxUnavailable:(*intstr.IntOrString)(0xc000000000), UnhealthyPodEvictionPolicy:(*policy.UnhealthyPodEvictionPolicyType)(nil)}: minAvailable and maxUnavailable cannot be both set" },
        { "negative minAvailable", "spec.minAvailable: Invalid value: -1: must be greater than or equal to 0" },
        { "malformed percent", "spec.maxUnavailable: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:\"half\"}: a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')" },
        { "over 100%", "spec.minAvailable: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:\"150%\"}: must not be greater than 100%" },
        { "bad selector operator", "spec.selector.matchExpressions[0].operator: Invalid value: \"Near\": not a valid selector operator" },
        { "unknown eviction policy", "spec.unhealthyPodEvictionPolicy: Unsupported value: \"Sometimes\": supported values: \"AlwaysAllow\", \"IfHealthyBudget\"" },
    };

    private static readonly Dictionary<string, Action<V1PodDisruptionBudget>> Edits = new()
    {
        ["both bounds"] = p => p.Spec.MaxUnavailable = 1,
        ["negative minAvailable"] = p => p.Spec.MinAvailable = -1,
        ["malformed percent"] = p => (p.Spec.MinAvailable, p.Spec.MaxUnavailable) = (null, "half"),
        ["over 100%"] = p => p.Spec.MinAvailable = "150%",
        ["bad selector operator"] = p => p.Spec.Selector.MatchExpressions = [new V1LabelSelectorRequirement { Key = "tier", OperatorProperty = "Near", Values = ["a"] }],
        ["unknown eviction policy"] = p => p.Spec.UnhealthyPodEvictionPolicy = "Sometimes",
    };

    [Theory]
    [MemberData(nameof(Rejected))]
    public void Create_RejectsWithUpstreamMessage(string name, string message)
    {
        Assert.Contains(message, StrategyRun.Create(Valid(Edits[name])));
    }

    [Theory]
    [InlineData("1", null, null)]
    [InlineData("100%", null, "AlwaysAllow")]
    [InlineData(null, "0", "IfHealthyBudget")]
    [InlineData(null, "25%", null)]
    [InlineData(null, null, null)]
    public void Create_AcceptsOneBoundAsNumberOrPercent_AndStartsWithAnEmptyStatus(string? minAvailable, string? maxUnavailable, string? policy)
    {
        var pdb = Valid(p => (p.Spec.MinAvailable, p.Spec.MaxUnavailable, p.Spec.UnhealthyPodEvictionPolicy, p.Status) =
            (Bound(minAvailable), Bound(maxUnavailable), policy, new V1PodDisruptionBudgetStatus { DisruptionsAllowed = 7 }));

        Assert.Empty(StrategyRun.Create(pdb));
        Assert.Equal(0, pdb.Status.DisruptionsAllowed);
    }

    [Fact]
    public void Update_MayChangeTheSpec_AndKeepsTheStatus_AStatusUpdateKeepsTheSpec()
    {
        var old = StrategyRun.Created(Valid());
        old.Status = new V1PodDisruptionBudgetStatus { DisruptionsAllowed = 1, CurrentHealthy = 2, DesiredHealthy = 1, ExpectedPods = 2 };
        var respecced = StrategyRun.Copy(old);
        respecced.Spec.MinAvailable = "50%";
        respecced.Status.DisruptionsAllowed = 9;
        var restatused = StrategyRun.Copy(old);
        restatused.Spec.MinAvailable = 5;
        restatused.Status.DisruptionsAllowed = 0;

        Assert.Empty(StrategyRun.Update(respecced, old));
        Assert.Equal(("50%", 1), (respecced.Spec.MinAvailable.Value, respecced.Status.DisruptionsAllowed));
        Assert.Empty(StrategyRun.UpdateStatus(restatused, old));
        Assert.Equal(("1", 0), (restatused.Spec.MinAvailable.Value, restatused.Status.DisruptionsAllowed));
    }

    [Fact]
    public void StatusUpdate_RejectsNegativeCountsAndMalformedConditions()
    {
        var old = StrategyRun.Created(Valid());
        var bad = StrategyRun.Copy(old);
        bad.Status = new V1PodDisruptionBudgetStatus
        {
            DisruptionsAllowed = -1,
            ExpectedPods = -2,
            Conditions = [new V1Condition { Type = "DisruptionAllowed", Status = "Maybe", Reason = "", Message = "" }],
        };

        Assert.Equal(
            [
                "status.conditions[0].status: Unsupported value: \"Maybe\": supported values: \"False\", \"True\", \"Unknown\"",
                "status.conditions[0].lastTransitionTime: Required value: must be set",
                "status.conditions[0].reason: Required value: must be set",
                "status.disruptionsAllowed: Invalid value: -1: must be greater than or equal to 0",
                "status.expectedPods: Invalid value: -2: must be greater than or equal to 0",
            ],
            StrategyRun.UpdateStatus(bad, old));
    }

    [Fact]
    public void SpecChange_IsASpecChange_StatusChangeIsNot()
    {
        var strategy = StrategyRun.For<V1PodDisruptionBudget>();
        var old = StrategyRun.Created(Valid());
        var respecced = StrategyRun.Copy(old);
        respecced.Spec.MinAvailable = 2;
        var restatused = StrategyRun.Copy(old);
        restatused.Status.CurrentHealthy = 3;

        Assert.True(strategy.TracksGeneration);
        Assert.True(strategy.SpecChanged(respecced, old));
        Assert.False(strategy.SpecChanged(restatused, old));
    }

    // IntOrString converts a null string into a value holding null: an absent bound is a null reference.
    private static IntOrString? Bound(string? value) => value is null ? null : (IntOrString)value;

    private static V1PodDisruptionBudget Valid(Action<V1PodDisruptionBudget>? edit = null)
    {
        var pdb = new V1PodDisruptionBudget
        {
            Metadata = Meta.Named("web"),
            Spec = new V1PodDisruptionBudgetSpec
            {
                MinAvailable = 1,
                Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "web" } },
            },
        };
        edit?.Invoke(pdb);
        return pdb;
    }
}
