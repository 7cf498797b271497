using Cetus.Kubelet.Pods;
using k8s.Models;
using Xunit;
using static Cetus.Kubelet.Tests.Builders;

namespace Cetus.Kubelet.Tests.Pods;

/// <summary>Which pod updates call for a sync.</summary>
public sealed class PodUpdatesTests
{
    [Fact]
    public void StatusChange_AloneNeedsNoSync()
    {
        var old = Pod("web");
        var updated = Pod("web");
        updated.Metadata.ResourceVersion = "2";
        updated.Status = new V1PodStatus { Phase = "Running", PodIP = "10.88.0.2" };
        Assert.True(PodUpdates.StatusOnly(old, updated));
    }

    [Fact]
    public void SpecLabelsAnnotationsOrDeletion_NeedASync()
    {
        var old = Pod("web");
        Assert.False(PodUpdates.StatusOnly(old, With(p => p.Spec.Containers[0].Image = "nginx:1.28")));
        Assert.False(PodUpdates.StatusOnly(old, With(p => p.Metadata.Labels = new Dictionary<string, string> { ["app"] = "web" })));
        Assert.False(PodUpdates.StatusOnly(old, With(p => p.Metadata.Annotations = new Dictionary<string, string> { ["a"] = "b" })));
        Assert.False(PodUpdates.StatusOnly(old, With(p => (p.Metadata.DeletionTimestamp, p.Metadata.DeletionGracePeriodSeconds) = (DateTime.UtcNow, 30))));
        Assert.False(PodUpdates.StatusOnly(null, Pod("web")));
    }

    [Fact]
    public void TerminalPhaseFromAnotherWriter_OrReadinessGates_NeedASync()
    {
        var old = Pod("web");
        old.Status = new V1PodStatus { Phase = "Running" };
        Assert.False(PodUpdates.StatusOnly(old, With(p => p.Status = new V1PodStatus { Phase = "Failed" })));

        var gated = With(p => p.Spec.ReadinessGates = [new V1PodReadinessGate { ConditionType = "example.com/ready" }]);
        var gatedUpdate = With(p => (p.Spec.ReadinessGates, p.Status) = ([new V1PodReadinessGate { ConditionType = "example.com/ready" }], new V1PodStatus { Phase = "Running" }));
        Assert.False(PodUpdates.StatusOnly(gated, gatedUpdate));
    }

    private static V1Pod With(Action<V1Pod> change)
    {
        var pod = Pod("web");
        change(pod);
        return pod;
    }
}
