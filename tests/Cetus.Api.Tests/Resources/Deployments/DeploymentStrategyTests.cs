using k8s.Models;
using Xunit;

namespace Cetus.Api.Tests.Resources.Deployments;

public sealed class DeploymentStrategyTests
{
    [Fact]
    public void Create_FillsDeploymentAndTemplateDefaults()
    {
        var deployment = DeploymentBuilder.Valid();

        Assert.Empty(StrategyRun.Create(deployment));

        var spec = deployment.Spec;
        Assert.Equal(1, spec.Replicas);
        Assert.Equal("RollingUpdate", spec.Strategy.Type);
        Assert.Equal(("25%", "25%"), (spec.Strategy.RollingUpdate.MaxUnavailable.Value, spec.Strategy.RollingUpdate.MaxSurge.Value));
        Assert.Equal((10, 600), (spec.RevisionHistoryLimit, spec.ProgressDeadlineSeconds));
        Assert.Equal(("Always", "ClusterFirst", 30L), (spec.Template.Spec.RestartPolicy, spec.Template.Spec.DnsPolicy, spec.Template.Spec.TerminationGracePeriodSeconds));
        Assert.Equal("IfNotPresent", spec.Template.Spec.Containers[0].ImagePullPolicy);
    }

    [Fact]
    public void Create_LeavesPodOnlyDefaultsOutOfTheTemplate()
    {
        var deployment = DeploymentBuilder.Valid();

        StrategyRun.Create(deployment);

        var template = deployment.Spec.Template.Spec;
        Assert.Null(template.EnableServiceLinks);
        Assert.Null(template.ServiceAccountName);
        Assert.Null(template.Tolerations);
        Assert.Null(template.Priority);
    }

    [Fact]
    public void Create_RecreateStrategyGetsNoRollingUpdate()
    {
        var deployment = DeploymentBuilder.Valid(d => d.Spec.Strategy = new V1DeploymentStrategy { Type = "Recreate" });

        Assert.Empty(StrategyRun.Create(deployment));

        Assert.Null(deployment.Spec.Strategy.RollingUpdate);
    }

    [Fact]
    public void Create_ResetsStatus()
    {
        var deployment = DeploymentBuilder.Valid(d => d.Status = new V1DeploymentStatus { Replicas = 3 });

        StrategyRun.Create(deployment);

        Assert.Equal("{}", k8s.KubernetesJson.Serialize(deployment.Status));
    }

    public static TheoryData<string, string> Rejected => new()
    {
        { "no selector", "spec.selector: Required value" },
        { "no selector, so no match", "spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"web\"}: `selector` does not match template `labels`" },
        { "empty selector", "spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for deployment" },
        { "selector not matching", "spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"web\"}: `selector` does not match template `labels`" },
        { "bad selector operator", "spec.selector.matchExpressions[0].operator: Invalid value: \"Like\": not a valid selector operator" },
        { "bad selector operator, no template check", "spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement{v1.LabelSelectorRequirement{Key:\"app\", Operator:\"Like\", Values:[]string{\"web\"}}}}: invalid label selector" },
        { "negative replicas", "spec.replicas: Invalid value: -1: must be greater than or equal to 0" },
        { "surge and unavailable zero", "spec.strategy.rollingUpdate.maxUnavailable: Invalid value: intstr.IntOrString{Type:0, IntVal:0, StrVal:\"\"}: may not be 0 when `maxSurge` is 0" },
        { "bad percentage", "spec.strategy.rollingUpdate.maxSurge: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:\"lots\"}: a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')" },
        { "unavailable above 100%", "spec.strategy.rollingUpdate.maxUnavailable: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:\"150%\"}: must not be greater than 100%" },
        { "rollingUpdate with Recreate", "spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'Recreate'" },
        { "unknown strategy", "spec.strategy: Unsupported value: apps.DeploymentStrategy{Type:\"BlueGreen\", RollingUpdate:(*apps.RollingUpdateDeployment)(nil)}: supported values: \"Recreate\", \"RollingUpdate\"" },
        { "template restartPolicy Never", "spec.template.spec.restartPolicy: Unsupported value: \"Never\": supported values: \"Always\"" },
        { "template activeDeadlineSeconds", "spec.template.spec.activeDeadlineSeconds: Forbidden: activeDeadlineSeconds in ReplicaSet is not Supported" },
        { "template without image", "spec.template.spec.containers[0].image: Required value" },
        { "deadline not above minReady", "spec.progressDeadlineSeconds: Invalid value: 10: must be greater than minReadySeconds" },
        { "bad template label", "spec.template.labels: Invalid value: \"-x\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')" },
    };

    private static readonly Dictionary<string, Action<V1Deployment>> Edits = new()
    {
        ["no selector"] = d => d.Spec.Selector = null,
        ["no selector, so no match"] = d => d.Spec.Selector = null,
        ["empty selector"] = d => d.Spec.Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string>() },
        ["selector not matching"] = d => d.Spec.Selector.MatchLabels["app"] = "db",
        ["bad selector operator"] = d => d.Spec.Selector = LikeSelector(),
        ["bad selector operator, no template check"] = d => d.Spec.Selector = LikeSelector(),
        ["negative replicas"] = d => d.Spec.Replicas = -1,
        ["surge and unavailable zero"] = d => d.Spec.Strategy = Rolling(0, 0),
        ["bad percentage"] = d => d.Spec.Strategy = Rolling("lots", 1),
        ["unavailable above 100%"] = d => d.Spec.Strategy = Rolling(1, "150%"),
        ["rollingUpdate with Recreate"] = d => d.Spec.Strategy = new V1DeploymentStrategy { Type = "Recreate", RollingUpdate = new V1RollingUpdateDeployment() },
        ["unknown strategy"] = d => d.Spec.Strategy = new V1DeploymentStrategy { Type = "BlueGreen" },
        ["template restartPolicy Never"] = d => d.Spec.Template.Spec.RestartPolicy = "Never",
        ["template activeDeadlineSeconds"] = d => d.Spec.Template.Spec.ActiveDeadlineSeconds = 30,
        ["template without image"] = d => d.Spec.Template.Spec.Containers[0].Image = null,
        ["deadline not above minReady"] = d => (d.Spec.MinReadySeconds, d.Spec.ProgressDeadlineSeconds) = (10, 10),
        ["bad template label"] = d => d.Spec.Template.Metadata.Labels["tier"] = "-x",
    };

    [Theory]
    [MemberData(nameof(Rejected))]
    public void Create_RejectsWithUpstreamMessage(string name, string message)
    {
        var errors = StrategyRun.Create(DeploymentBuilder.Valid(Edits[name]));

        Assert.Contains(message, errors);
    }

    [Fact]
    public void Create_WithAnUnparsableSelector_SkipsTheTemplate()
    {
        var errors = StrategyRun.Create(DeploymentBuilder.Valid(d =>
        {
            d.Spec.Selector = LikeSelector();
            d.Spec.Template.Spec.Containers[0].Image = null;
        }));

        Assert.DoesNotContain("spec.template.spec.containers[0].image: Required value", errors);
    }

    [Fact]
    public void Update_SelectorIsImmutable()
    {
        var old = StrategyRun.Created(DeploymentBuilder.Valid());
        var deployment = StrategyRun.Copy(old);
        deployment.Spec.Selector.MatchLabels["tier"] = "front";
        deployment.Spec.Template.Metadata.Labels["tier"] = "front";

        var errors = StrategyRun.Update(deployment, old);

        Assert.Equal(
            ["spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{\"app\":\"web\", \"tier\":\"front\"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable"],
            errors);
    }

    [Fact]
    public void Update_SelectorWithLabelsInAnotherOrder_IsTheSameSelector()
    {
        var old = StrategyRun.Created(DeploymentBuilder.Valid(d =>
        {
            d.Spec.Selector.MatchLabels["tier"] = "front";
            d.Spec.Template.Metadata.Labels["tier"] = "front";
        }));
        var deployment = StrategyRun.Copy(old);
        deployment.Spec.Selector.MatchLabels = new Dictionary<string, string> { ["tier"] = "front", ["app"] = "web" };

        Assert.Empty(StrategyRun.Update(deployment, old));
        Assert.False(StrategyRun.For<V1Deployment>().SpecChanged(deployment, old));
    }

    [Fact]
    public void Update_AllowsScalingAndNewImages()
    {
        var old = StrategyRun.Created(DeploymentBuilder.Valid());
        var deployment = StrategyRun.Copy(old);
        deployment.Spec.Replicas = 5;
        deployment.Spec.Template.Spec.Containers[0].Image = "nginx:1.28";

        Assert.Empty(StrategyRun.Update(deployment, old));
    }

    [Fact]
    public void Update_KeepsStatus_StatusUpdateKeepsSpecAndLabels()
    {
        var old = StrategyRun.Created(DeploymentBuilder.Valid());
        old.Status = new V1DeploymentStatus { Replicas = 1, ObservedGeneration = 1 };
        var update = StrategyRun.Copy(old);
        update.Status = new V1DeploymentStatus { Replicas = 9 };
        StrategyRun.Update(update, old);
        var statusUpdate = StrategyRun.Copy(old);
        statusUpdate.Spec.Replicas = 7;
        statusUpdate.Metadata.Labels = new Dictionary<string, string> { ["new"] = "label" };
        statusUpdate.Status = new V1DeploymentStatus { Replicas = 2, ReadyReplicas = 2, AvailableReplicas = 2, UpdatedReplicas = 2 };

        Assert.Empty(StrategyRun.UpdateStatus(statusUpdate, old));

        Assert.Equal(1, update.Status.Replicas);
        Assert.Equal(1, statusUpdate.Spec.Replicas);
        Assert.Null(statusUpdate.Metadata.Labels);
        Assert.Equal(2, statusUpdate.Status.Replicas);
    }

    [Fact]
    public void StatusUpdate_RejectsImpossibleCounts()
    {
        var old = StrategyRun.Created(DeploymentBuilder.Valid());
        old.Status = new V1DeploymentStatus { CollisionCount = 2 };
        var deployment = StrategyRun.Copy(old);
        deployment.Status = new V1DeploymentStatus { Replicas = 1, ReadyReplicas = 2, AvailableReplicas = 3, CollisionCount = 1 };

        var errors = StrategyRun.UpdateStatus(deployment, old);

        Assert.Equal(
            [
                "status.readyReplicas: Invalid value: 2: cannot be greater than status.replicas",
                "status.availableReplicas: Invalid value: 3: cannot be greater than status.replicas",
                "status.availableReplicas: Invalid value: 3: cannot be greater than readyReplicas",
                "status.collisionCount: Invalid value: 1: cannot be decremented",
            ],
            errors);
    }

    [Fact]
    public void Generation_CountsSpecAndAnnotationChanges()
    {
        var strategy = StrategyRun.For<V1Deployment>();
        var old = StrategyRun.Created(DeploymentBuilder.Valid());
        var scaled = StrategyRun.Copy(old);
        scaled.Spec.Replicas = 3;
        var annotated = StrategyRun.Copy(old);
        annotated.Metadata.Annotations = new Dictionary<string, string> { ["kubernetes.io/change-cause"] = "rollout" };
        var labelled = StrategyRun.Copy(old);
        labelled.Metadata.Labels = new Dictionary<string, string> { ["team"] = "a" };

        Assert.True(strategy.TracksGeneration);
        Assert.True(strategy.SpecChanged(scaled, old));
        Assert.True(strategy.SpecChanged(annotated, old));
        Assert.False(strategy.SpecChanged(labelled, old));
    }

    private static V1LabelSelector LikeSelector() => new()
    {
        MatchExpressions = [new V1LabelSelectorRequirement { Key = "app", OperatorProperty = "Like", Values = ["web"] }],
    };

    private static V1DeploymentStrategy Rolling(IntOrString surge, IntOrString unavailable) => new()
    {
        Type = "RollingUpdate",
        RollingUpdate = new V1RollingUpdateDeployment { MaxSurge = surge, MaxUnavailable = unavailable },
    };
}
