using Cetus.Controllers.Common;
using k8s.Models;

namespace Cetus.Controllers.ReplicaSet;

/// <summary>
/// The order in which a ReplicaSet deletes surplus pods (pkg/controller's ActivePodsWithRanks.Less): first unassigned
/// before assigned, then Pending before Unknown before Running, not ready before ready, lower
/// <c>controller.kubernetes.io/pod-deletion-cost</c> first, pods doubled up on a node with more related pods first, ready
/// for less time before ready for longer, more container restarts first, and newer before older.
/// </summary>
public static class PodDeletionOrder
{
    /// <summary>The annotation that lets users say which pods go first (lower cost, earlier).</summary>
    public const string DeletionCostAnnotation = "controller.kubernetes.io/pod-deletion-cost";

    /// <summary>
    /// Picks <paramref name="count"/> pods of <paramref name="pods"/> to delete; <paramref name="relatedPods"/> (the
    /// pods of every ReplicaSet of the same owner) rank pods by how many siblings share their node.
    /// </summary>
    public static List<V1Pod> PodsToDelete(IReadOnlyList<V1Pod> pods, IReadOnlyList<V1Pod> relatedPods, int count, DateTimeOffset now)
    {
        if (count >= pods.Count)
        {
            return [.. pods];
        }

        var perNode = relatedPods
            .Where(p => PodConditions.IsActive(p) && !string.IsNullOrEmpty(p.Spec?.NodeName))
            .GroupBy(p => p.Spec.NodeName, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var ranked = pods.Select(p => (Pod: p, Rank: string.IsNullOrEmpty(p.Spec?.NodeName) ? 0 : perNode.GetValueOrDefault(p.Spec.NodeName))).ToList();
        ranked.Sort((a, b) => Compare(a.Pod, a.Rank, b.Pod, b.Rank, now));
        return [.. ranked.Take(count).Select(r => r.Pod)];
    }

    /// <summary>Negative when <paramref name="a"/> should be deleted before <paramref name="b"/>.</summary>
    public static int Compare(V1Pod a, int rankA, V1Pod b, int rankB, DateTimeOffset now)
    {
        // 1. Unassigned < assigned.
        var assignedA = !string.IsNullOrEmpty(a.Spec?.NodeName);
        var assignedB = !string.IsNullOrEmpty(b.Spec?.NodeName);
        if (assignedA != assignedB)
        {
            return assignedA ? 1 : -1;
        }

        // 2. Pending < Unknown < Running.
        var phase = PhaseOrder(a).CompareTo(PhaseOrder(b));
        if (phase != 0)
        {
            return phase;
        }

        // 3. Not ready < ready.
        var readyA = PodConditions.IsReady(a);
        var readyB = PodConditions.IsReady(b);
        if (readyA != readyB)
        {
            return readyA ? 1 : -1;
        }

        // 4. Lower deletion cost < higher.
        var cost = DeletionCost(a).CompareTo(DeletionCost(b));
        if (cost != 0)
        {
            return cost;
        }

        // 5. Doubled up (more related pods on the node) < not.
        if (rankA != rankB)
        {
            return rankB.CompareTo(rankA);
        }

        // 6. Been ready for less time < more time.
        if (readyA && readyB)
        {
            var sinceA = PodConditions.ReadyCondition(a)?.LastTransitionTime;
            var sinceB = PodConditions.ReadyCondition(b)?.LastTransitionTime;
            if (sinceA != sinceB)
            {
                return Newer(sinceA, sinceB);
            }
        }

        // 7. More restarts < fewer.
        var restarts = Restarts(b).CompareTo(Restarts(a));
        if (restarts != 0)
        {
            return restarts;
        }

        // 8. Newer < older.
        var created = Newer(a.Metadata?.CreationTimestamp, b.Metadata?.CreationTimestamp);
        return created != 0 ? created : string.CompareOrdinal(a.Metadata?.Uid, b.Metadata?.Uid);
    }

    // Negative when a is newer (later); a missing time counts as newest.
    private static int Newer(DateTime? a, DateTime? b)
    {
        if (a == b)
        {
            return 0;
        }

        if (a is null)
        {
            return -1;
        }

        return b is null ? 1 : b.Value.CompareTo(a.Value);
    }

    private static int PhaseOrder(V1Pod pod) => pod.Status?.Phase switch
    {
        "Pending" or null or "" => 0,
        "Unknown" => 1,
        "Running" => 2,
        _ => 3,
    };

    private static int DeletionCost(V1Pod pod) =>
        pod.Metadata?.Annotations?.TryGetValue(DeletionCostAnnotation, out var value) == true && int.TryParse(value, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var cost) ? cost : 0;

    private static int Restarts(V1Pod pod) => pod.Status?.ContainerStatuses?.Sum(c => c.RestartCount) ?? 0;
}
