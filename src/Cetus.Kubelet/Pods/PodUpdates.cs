using k8s;
using k8s.Models;

namespace Cetus.Kubelet.Pods;

/// <summary>
/// Which pod updates call for a sync (Kubernetes' kubelet config source, checkAndUpdatePod / podsDifferSemantically):
/// an update that changes only the status — most often the kubelet's own status patch coming back through the watch —
/// is not a new desired state; the kubelet records the newer status and syncs only when it must reconcile it (a
/// terminal phase set by someone else, readiness gates whose conditions decide Ready).
/// </summary>
public static class PodUpdates
{
    /// <summary>True when <paramref name="updated"/> differs from <paramref name="old"/> only in ways that need no sync.</summary>
    public static bool StatusOnly(V1Pod? old, V1Pod updated)
    {
        ArgumentNullException.ThrowIfNull(updated);
        if (old?.Metadata is not { } before || old.Spec is null || updated.Metadata is not { } after || updated.Spec is null)
        {
            return false;
        }

        if (before.Uid != after.Uid
            || before.DeletionTimestamp != after.DeletionTimestamp
            || before.DeletionGracePeriodSeconds != after.DeletionGracePeriodSeconds
            || !SameMap(before.Labels, after.Labels)
            || !SameMap(before.Annotations, after.Annotations))
        {
            return false;
        }

        if (updated.Spec.ReadinessGates is { Count: > 0 })
        {
            // Other writers' conditions decide Ready: reconcile it.
            return false;
        }

        if (updated.Status?.Phase is "Succeeded" or "Failed" && updated.Status.Phase != old.Status?.Phase)
        {
            return false;
        }

        return ReferenceEquals(old.Spec, updated.Spec) || KubernetesJson.Serialize(old.Spec) == KubernetesJson.Serialize(updated.Spec);
    }

    private static bool SameMap(IDictionary<string, string>? a, IDictionary<string, string>? b)
    {
        if ((a?.Count ?? 0) != (b?.Count ?? 0))
        {
            return false;
        }

        return a is null || a.All(p => b!.TryGetValue(p.Key, out var value) && value == p.Value);
    }
}
