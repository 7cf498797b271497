using k8s.Models;
using Xunit;

namespace Cetus.Api.Tests.Resources.Pods;

public sealed class PodUpdateTests
{
    private const string ForbiddenPrefix =
        "spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`," +
        "`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` " +
        "(allow it to be set to 1 if it was previously negative)\n";

    public static TheoryData<string, string> Rejected => new()
    {
        { "restart policy", ForbiddenPrefix },
        { "added container", "spec.containers: Forbidden: pod updates may not add or remove containers" },
        { "raised deadline", "spec.activeDeadlineSeconds: Invalid value: 120: must be less than or equal to previous value" },
        { "removed deadline", "spec.activeDeadlineSeconds: Invalid value: \"null\": must not update from a positive integer to nil value" },
        { "removed toleration", "spec.tolerations: Forbidden: existing toleration can not be modified except its tolerationSeconds" },
        { "emptied image", "spec.containers[0].image: Required value" },
        { "added scheduling gate", "spec.schedulingGates[0].name: Forbidden: only deletion is allowed, but found new scheduling gate 'example.com/later'" },
        { "renamed", "metadata.name: Invalid value: \"other\": field is immutable" },
        { "moved namespace", "metadata.namespace: Invalid value: \"prod\": field is immutable" },
        { "changed uid", "metadata.uid: Invalid value: \"another\": field is immutable" },
        { "no resource version", "metadata.resourceVersion: Invalid value: \"\": must be specified for an update" },
    };

    private static readonly Dictionary<string, Action<V1Pod>> Edits = new()
    {
        ["restart policy"] = p => p.Spec.RestartPolicy = "Never",
        ["added container"] = p => p.Spec.Containers.Add(PodBuilder.Container("extra")),
        ["raised deadline"] = p => p.Spec.ActiveDeadlineSeconds = 120,
        ["removed deadline"] = p => p.Spec.ActiveDeadlineSeconds = null,
        ["removed toleration"] = p => p.Spec.Tolerations = p.Spec.Tolerations.Where(t => t.Key != "dedicated").ToList(),
        ["emptied image"] = p => p.Spec.Containers[0].Image = "",
        ["added scheduling gate"] = p => p.Spec.SchedulingGates = [new V1PodSchedulingGate { Name = "example.com/later" }],
        ["renamed"] = p => p.Metadata.Name = "other",
        ["moved namespace"] = p => p.Metadata.NamespaceProperty = "prod",
        ["changed uid"] = p => p.Metadata.Uid = "another",
        ["no resource version"] = p => p.Metadata.ResourceVersion = null,
    };

    [Theory]
    [MemberData(nameof(Rejected))]
    public void Update_RejectsChangesOutsideTheMutableFields(string name, string message)
    {
        var old = Existing();
        var pod = StrategyRun.Copy(old);
        Edits[name](pod);

        var errors = StrategyRun.Update(pod, old);

        Assert.Contains(errors, e => e.StartsWith(message, StringComparison.Ordinal));
    }

    [Fact]
    public void Update_ForbiddenSpecChange_ListsTheChangedField()
    {
        var old = Existing();
        var pod = StrategyRun.Copy(old);
        pod.Spec.RestartPolicy = "Never";

        var error = Assert.Single(StrategyRun.Update(pod, old));

        Assert.Contains("- \trestartPolicy: \"Always\"", error, StringComparison.Ordinal);
        Assert.Contains("+ \trestartPolicy: \"Never\"", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Update_AllowsImagesLowerDeadlineAndAddedTolerations()
    {
        var old = Existing();
        var pod = StrategyRun.Copy(old);
        pod.Spec.Containers[0].Image = "nginx:1.28";
        pod.Spec.ActiveDeadlineSeconds = 30;
        pod.Spec.Tolerations.Add(new V1Toleration { Key = "zone", OperatorProperty = "Equal", Value = "a", Effect = "NoSchedule" });
        pod.Spec.Tolerations[0].TolerationSeconds = 60;

        Assert.Empty(StrategyRun.Update(pod, old));
    }

    [Fact]
    public void Update_OfAManifestWithoutServerDefaults_IsNotAChange()
    {
        var old = Existing();
        var pod = PodBuilder.Valid(p =>
        {
            p.Metadata.ResourceVersion = old.Metadata.ResourceVersion;
            p.Metadata.Uid = old.Metadata.Uid;
            p.Spec.ActiveDeadlineSeconds = 60;
            p.Spec.Tolerations = [new V1Toleration { Key = "dedicated", OperatorProperty = "Exists", Effect = "NoExecute" }];
        });

        Assert.Empty(StrategyRun.Update(pod, old));
    }

    [Fact]
    public void Update_KeepsTheOldStatus()
    {
        var old = Existing();
        old.Status.Phase = "Running";
        var pod = StrategyRun.Copy(old);
        pod.Status = new V1PodStatus { Phase = "Succeeded" };

        StrategyRun.Update(pod, old);

        Assert.Equal("Running", pod.Status.Phase);
    }

    [Fact]
    public void StatusUpdate_KeepsSpecAndOwners_AndBackfillsQos()
    {
        var old = Existing();
        old.Metadata.OwnerReferences = [new V1OwnerReference { ApiVersion = "apps/v1", Kind = "ReplicaSet", Name = "web-1", Uid = "u1" }];
        var pod = StrategyRun.Copy(old);
        pod.Spec.RestartPolicy = "Never";
        pod.Metadata.OwnerReferences = null;
        pod.Status = new V1PodStatus { Phase = "Running", PodIP = "10.42.0.7", PodIPs = [new V1PodIP { Ip = "10.42.0.7" }] };

        Assert.Empty(StrategyRun.UpdateStatus(pod, old));

        Assert.Equal("Always", pod.Spec.RestartPolicy);
        Assert.Equal("web-1", Assert.Single(pod.Metadata.OwnerReferences!).Name);
        Assert.Equal(("Running", "BestEffort"), (pod.Status.Phase, pod.Status.QosClass));
    }

    [Fact]
    public void StatusUpdate_RejectsANewQosClassAndBadIps()
    {
        var old = Existing();
        var pod = StrategyRun.Copy(old);
        pod.Status.QosClass = "Guaranteed";
        pod.Status.PodIPs = [new V1PodIP { Ip = "10.0.0.300" }];

        var errors = StrategyRun.UpdateStatus(pod, old);

        Assert.Equal(
            [
                "status.qosClass: Invalid value: \"Guaranteed\": field is immutable",
                "status.podIPs[0]: Invalid value: \"10.0.0.300\": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)",
            ],
            errors);
    }

    [Fact]
    public void SelectableFields_AreUpstreams()
    {
        var pod = Existing();
        pod.Spec.NodeName = "node-1";
        pod.Status.PodIPs = [new V1PodIP { Ip = "10.42.0.7" }];
        pod.Status.NominatedNodeName = "node-2";
        pod.Spec.ServiceAccountName = "default";

        var fields = StrategyRun.For<V1Pod>().SelectableFields(pod);

        Assert.Equal(
            new Dictionary<string, string>
            {
                ["metadata.name"] = "web",
                ["metadata.namespace"] = "default",
                ["spec.nodeName"] = "node-1",
                ["spec.restartPolicy"] = "Always",
                ["spec.schedulerName"] = "default-scheduler",
                ["spec.serviceAccountName"] = "default",
                ["spec.hostNetwork"] = "false",
                ["status.phase"] = "Pending",
                ["status.podIP"] = "10.42.0.7",
                ["status.nominatedNodeName"] = "node-2",
            },
            fields);
    }

    [Fact]
    public void Pods_DoNotCountGenerations()
    {
        Assert.False(StrategyRun.For<V1Pod>().TracksGeneration);
    }

    private static V1Pod Existing() => StrategyRun.Created(PodBuilder.Valid(p =>
    {
        p.Spec.ActiveDeadlineSeconds = 60;
        p.Spec.Tolerations = [new V1Toleration { Key = "dedicated", OperatorProperty = "Exists", Effect = "NoExecute" }];
    }));
}
