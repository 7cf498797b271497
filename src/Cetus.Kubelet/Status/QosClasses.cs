using k8s.Models;

namespace Cetus.Kubelet.Status;

/// <summary>A pod's quality-of-service class, as Kubernetes computes it (pkg/apis/core/v1/helper/qos).</summary>
public static class QosClasses
{
    /// <summary>Guaranteed: every container has cpu and memory limits, and requests equal limits.</summary>
    public const string Guaranteed = "Guaranteed";

    /// <summary>Burstable: some requests or limits, not Guaranteed.</summary>
    public const string Burstable = "Burstable";

    /// <summary>BestEffort: no cpu or memory request or limit anywhere.</summary>
    public const string BestEffort = "BestEffort";

    private static readonly string[] Supported = ["cpu", "memory"];

    /// <summary>The QoS class of <paramref name="pod"/> (init and app containers; requests default to limits).</summary>
    public static string Of(V1Pod pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        var requests = new Dictionary<string, decimal>();
        var limits = new Dictionary<string, decimal>();
        var guaranteed = true;
        foreach (var container in (pod.Spec?.InitContainers ?? []).Concat(pod.Spec?.Containers ?? []))
        {
            var containerLimits = container.Resources?.Limits ?? new Dictionary<string, ResourceQuantity>();
            var containerRequests = container.Resources?.Requests ?? new Dictionary<string, ResourceQuantity>();
            foreach (var name in Supported)
            {
                // API defaulting: a missing request takes the limit.
                var request = containerRequests.TryGetValue(name, out var r) ? r : containerLimits.TryGetValue(name, out var l) ? l : null;
                if (request is not null && request.ToDecimal() != 0)
                {
                    requests[name] = requests.GetValueOrDefault(name) + request.ToDecimal();
                }

                if (containerLimits.TryGetValue(name, out var limit) && limit.ToDecimal() != 0)
                {
                    limits[name] = limits.GetValueOrDefault(name) + limit.ToDecimal();
                }
                else
                {
                    guaranteed = false;
                }
            }
        }

        if (requests.Count == 0 && limits.Count == 0)
        {
            return BestEffort;
        }

        if (guaranteed && requests.Count == limits.Count && requests.All(r => limits.TryGetValue(r.Key, out var l) && l == r.Value))
        {
            return Guaranteed;
        }

        return Burstable;
    }
}
