using Cetus.Kubelet.Status;
using k8s.Models;
using Xunit;
using static Cetus.Kubelet.Tests.Builders;

namespace Cetus.Kubelet.Tests.Status;

/// <summary>QoS classes as Kubernetes' qos.GetPodQOS computes them.</summary>
public sealed class QosClassesTests
{
    public static TheoryData<string, V1Container[], V1Container[], string> Cases => new()
    {
        { "nothing set", [], [Container("a")], QosClasses.BestEffort },
        { "limits only (requests default to them)", [], [Container("a", limitCpu: "1", limitMemory: "1Gi")], QosClasses.Guaranteed },
        { "requests equal limits", [], [Container("a", cpu: "500m", memory: "64Mi", limitCpu: "500m", limitMemory: "64Mi")], QosClasses.Guaranteed },
        { "requests below limits", [], [Container("a", cpu: "250m", memory: "64Mi", limitCpu: "500m", limitMemory: "64Mi")], QosClasses.Burstable },
        { "cpu limit only", [], [Container("a", limitCpu: "1")], QosClasses.Burstable },
        { "a request only", [], [Container("a", cpu: "100m")], QosClasses.Burstable },
        { "one container guaranteed, one best effort", [], [Container("a", limitCpu: "1", limitMemory: "1Gi"), Container("b")], QosClasses.Burstable },
        { "init container without limits", [Container("init")], [Container("a", limitCpu: "1", limitMemory: "1Gi")], QosClasses.Burstable },
        { "init and app containers guaranteed", [Container("init", limitCpu: "2", limitMemory: "2Gi")], [Container("a", limitCpu: "1", limitMemory: "1Gi")], QosClasses.Guaranteed },
        { "only an init container has a request", [Container("init", memory: "10Mi")], [Container("a")], QosClasses.Burstable },
        { "zero quantities count as unset", [], [Container("a", cpu: "0", memory: "0")], QosClasses.BestEffort },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Of_ClassifiesLikeKubernetes(string because, V1Container[] init, V1Container[] containers, string expected)
    {
        var pod = Pod("p", init: init.Length > 0 ? init : null, containers: containers);
        Assert.True(expected == QosClasses.Of(pod), because);
    }
}
