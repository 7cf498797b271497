using Cetus.Controllers.ReplicaSet;
using k8s.Models;
using Xunit;
using static Cetus.Controllers.Tests.Builders;

namespace Cetus.Controllers.Tests.ReplicaSet;

public sealed class PodDeletionOrderTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly DateTime Early = new(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
    private static readonly DateTime Late = new(2026, 1, 1, 1, 0, 0, DateTimeKind.Utc);

    public static TheoryData<string, V1Pod, V1Pod> FirstGoesFirst() => new()
    {
        { "unassigned before assigned", Pod("a", node: null, phase: "Pending"), Pod("b", phase: "Pending") },
        { "pending before running", Pod("a", phase: "Pending"), Pod("b", phase: "Running") },
        { "unknown before running", Pod("a", phase: "Unknown"), Pod("b", phase: "Running") },
        { "not ready before ready", Pod("a", ready: false), Pod("b", ready: true) },
        { "ready for less time first", Pod("a", ready: true, readySince: Late), Pod("b", ready: true, readySince: Early) },
        { "newer before older", Pod("a", created: Late), Pod("b", created: Early) },
        { "lower deletion cost first", WithCost(Pod("a", created: Early), "-5"), WithCost(Pod("b", created: Late), "10") },
        { "more restarts first", WithRestarts(Pod("a", created: Early), 3), Pod("b", created: Late) },
    };

    [Theory]
    [MemberData(nameof(FirstGoesFirst))]
    public void Compare_OrdersAsKubernetes(string because, V1Pod first, V1Pod second)
    {
        Assert.True(PodDeletionOrder.Compare(first, 0, second, 0, Now) < 0, because);
        Assert.True(PodDeletionOrder.Compare(second, 0, first, 0, Now) > 0, because);
    }

    [Fact]
    public void PodsToDelete_PrefersPodsDoubledUpOnANode()
    {
        var alone = Pod("alone", node: "n1");
        var doubled = Pod("doubled", node: "n2");
        var sibling = Pod("sibling", node: "n2");

        var victims = PodDeletionOrder.PodsToDelete([alone, doubled], [alone, doubled, sibling], 1, Now);

        Assert.Equal("doubled", Assert.Single(victims).Metadata.Name);
    }

    private static V1Pod WithCost(V1Pod pod, string cost)
    {
        pod.Metadata.Annotations = new Dictionary<string, string> { [PodDeletionOrder.DeletionCostAnnotation] = cost };
        return pod;
    }

    private static V1Pod WithRestarts(V1Pod pod, int restarts)
    {
        pod.Status.ContainerStatuses = [new V1ContainerStatus { Name = "app", RestartCount = restarts, Image = "x", ImageID = "x", Ready = false }];
        return pod;
    }
}
