using Cetus.Scheduler.Cache;
using k8s.Models;
using Xunit;

namespace Cetus.Scheduler.Tests.Cache;

public sealed class AssumedPodTests
{
    [Fact]
    public void Of_SetsTheNode_OnACopy_AndLeavesTheInformersPodAsItWas()
    {
        var pod = new V1Pod
        {
            ApiVersion = "v1",
            Kind = "Pod",
            Metadata = new V1ObjectMeta { Name = "p", NamespaceProperty = "ns", Uid = "u1", ResourceVersion = "7" },
            Spec = new V1PodSpec
            {
                SchedulerName = "default-scheduler",
                Priority = 5,
                Containers = [new V1Container { Name = "c", Image = "i", Resources = new V1ResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("100m") } } }],
                Tolerations = [new V1Toleration { Key = "k", OperatorProperty = "Exists" }],
            },
            Status = new V1PodStatus { Phase = "Pending" },
        };

        var assumed = AssumedPod.Of(pod, "node-1");

        Assert.Equal("node-1", assumed.Spec.NodeName);
        Assert.Null(pod.Spec.NodeName);
        Assert.NotSame(pod, assumed);
        Assert.NotSame(pod.Spec, assumed.Spec);
        // Everything else is the same as the pod's, whatever the spec's properties are.
        Assert.Equal(("v1", "Pod", "p", "ns", "u1", "7"), (assumed.ApiVersion, assumed.Kind, assumed.Metadata.Name, assumed.Metadata.NamespaceProperty, assumed.Metadata.Uid, assumed.Metadata.ResourceVersion));
        Assert.Equal(("default-scheduler", 5), (assumed.Spec.SchedulerName, assumed.Spec.Priority));
        Assert.Equal("100m", assumed.Spec.Containers.Single().Resources.Requests["cpu"].ToString());
        Assert.Equal("k", assumed.Spec.Tolerations.Single().Key);
        Assert.Equal("Pending", assumed.Status.Phase);
    }

    [Fact]
    public void Of_APodWithoutSpec_GetsOneWithTheNode()
    {
        var pod = new V1Pod { Metadata = new V1ObjectMeta { Name = "bare" } };

        var assumed = AssumedPod.Of(pod, "node-2");

        Assert.Equal("node-2", assumed.Spec.NodeName);
        Assert.Null(pod.Spec);
    }
}
