using Cetus.Api.Tests.Resources.Pods;
using k8s.Models;
using Xunit;

namespace Cetus.Api.Tests.Resources.ReplicaSets;

public sealed class ReplicaSetStrategyTests
{
    [Fact]
    public void Create_DefaultsReplicasAndTemplate()
    {
        var replicaSet = Valid(r => r.Status = new V1ReplicaSetStatus { Replicas = 5 });

        Assert.Empty(StrategyRun.Create(replicaSet));

        Assert.Equal(1, replicaSet.Spec.Replicas);
        Assert.Equal("{\"replicas\":0}", k8s.KubernetesJson.Serialize(replicaSet.Status));
        Assert.Equal("Always", replicaSet.Spec.Template.Spec.RestartPolicy);
        Assert.Equal("File", replicaSet.Spec.Template.Spec.Containers[0].TerminationMessagePolicy);
    }

    public static TheoryData<string, string> Rejected => new()
    {
        { "negative replicas", "spec.replicas: Invalid value: -2: must be greater than or equal to 0" },
        { "negative minReadySeconds", "spec.minReadySeconds: Invalid value: -1: must be greater than or equal to 0" },
        { "no selector", "spec.selector: Required value" },
        { "selector not matching", "spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"web\"}: `selector` does not match template `labels`" },
        { "empty selector", "spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement{}}: empty selector is invalid for deployment" },
        { "template restartPolicy OnFailure", "spec.template.spec.restartPolicy: Unsupported value: \"OnFailure\": supported values: \"Always\"" },
        { "In without values", "spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'" },
        { "name not a subdomain", "metadata.name: Invalid value: \"Web_1\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')" },
    };

    private static readonly Dictionary<string, Action<V1ReplicaSet>> Edits = new()
    {
        ["negative replicas"] = r => r.Spec.Replicas = -2,
        ["negative minReadySeconds"] = r => r.Spec.MinReadySeconds = -1,
        ["no selector"] = r => r.Spec.Selector = null,
        ["selector not matching"] = r => r.Spec.Selector.MatchLabels["app"] = "db",
        ["empty selector"] = r => r.Spec.Selector = new V1LabelSelector { MatchExpressions = [] },
        ["template restartPolicy OnFailure"] = r => r.Spec.Template.Spec.RestartPolicy = "OnFailure",
        ["In without values"] = r => r.Spec.Selector.MatchExpressions = [new V1LabelSelectorRequirement { Key = "app", OperatorProperty = "In" }],
        ["name not a subdomain"] = r => r.Metadata.Name = "Web_1",
    };

    [Theory]
    [MemberData(nameof(Rejected))]
    public void Create_RejectsWithUpstreamMessage(string name, string message)
    {
        var errors = StrategyRun.Create(Valid(Edits[name]));

        Assert.Contains(message, errors);
    }

    [Fact]
    public void Update_SelectorIsImmutable_ReplicasAreNot()
    {
        var old = StrategyRun.Created(Valid());
        var scaled = StrategyRun.Copy(old);
        scaled.Spec.Replicas = 4;
        var reselected = StrategyRun.Copy(old);
        reselected.Spec.Selector = new V1LabelSelector
        {
            MatchExpressions = [new V1LabelSelectorRequirement { Key = "app", OperatorProperty = "Exists" }],
        };

        Assert.Empty(StrategyRun.Update(scaled, old));
        Assert.Equal(
            ["spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement{v1.LabelSelectorRequirement{Key:\"app\", Operator:\"Exists\", Values:[]string(nil)}}}: field is immutable"],
            StrategyRun.Update(reselected, old));
    }

    [Fact]
    public void StatusUpdate_RejectsMoreFullyLabeledThanReplicas()
    {
        var old = StrategyRun.Created(Valid());
        var replicaSet = StrategyRun.Copy(old);
        replicaSet.Status = new V1ReplicaSetStatus { Replicas = 1, FullyLabeledReplicas = 2 };

        Assert.Equal(["status.fullyLabeledReplicas: Invalid value: 2: cannot be greater than status.replicas"], StrategyRun.UpdateStatus(replicaSet, old));
        Assert.Equal(1, replicaSet.Spec.Replicas);
    }

    [Fact]
    public void Generation_AndSelectableFields()
    {
        var strategy = StrategyRun.For<V1ReplicaSet>();
        var old = StrategyRun.Created(Valid());
        old.Status = new V1ReplicaSetStatus { Replicas = 3 };
        var annotated = StrategyRun.Copy(old);
        annotated.Metadata.Annotations = new Dictionary<string, string> { ["note"] = "x" };
        var scaled = StrategyRun.Copy(old);
        scaled.Spec.Replicas = 2;

        Assert.True(strategy.TracksGeneration);
        Assert.False(strategy.SpecChanged(annotated, old));
        Assert.True(strategy.SpecChanged(scaled, old));
        Assert.Equal("3", strategy.SelectableFields(old)["status.replicas"]);
    }

    private static V1ReplicaSet Valid(Action<V1ReplicaSet>? edit = null)
    {
        var labels = new Dictionary<string, string> { ["app"] = "web" };
        var replicaSet = new V1ReplicaSet
        {
            Metadata = Meta.Named("web-5d8f"),
            Spec = new V1ReplicaSetSpec { Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string>(labels) }, Template = PodBuilder.Template(labels) },
        };
        edit?.Invoke(replicaSet);
        return replicaSet;
    }
}
