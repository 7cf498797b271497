using k8s.Models;

namespace Cetus.Controllers.Common;

/// <summary>Pod state as controllers judge it (pkg/api/v1/pod and pkg/controller's FilterActivePods).</summary>
public static class PodConditions
{
    /// <summary>True when the pod's Ready condition is True.</summary>
    public static bool IsReady(V1Pod pod) => ReadyCondition(pod)?.Status == "True";

    /// <summary>True when the pod has been ready for at least <paramref name="minReadySeconds"/> at <paramref name="now"/>.</summary>
    public static bool IsAvailable(V1Pod pod, int minReadySeconds, DateTimeOffset now)
    {
        var ready = ReadyCondition(pod);
        if (ready?.Status != "True")
        {
            return false;
        }

        if (minReadySeconds == 0)
        {
            return true;
        }

        return ready.LastTransitionTime is { } since && new DateTimeOffset(DateTime.SpecifyKind(since, DateTimeKind.Utc)).AddSeconds(minReadySeconds) <= now;
    }

    /// <summary>The pod's Ready condition, if any.</summary>
    public static V1PodCondition? ReadyCondition(V1Pod pod) => pod?.Status?.Conditions?.FirstOrDefault(c => c.Type == "Ready");

    /// <summary>True for a pod that is neither finished (Succeeded/Failed) nor being deleted.</summary>
    public static bool IsActive(V1Pod pod) =>
        pod?.Status?.Phase is not ("Succeeded" or "Failed") && pod?.Metadata?.DeletionTimestamp is null;
}
