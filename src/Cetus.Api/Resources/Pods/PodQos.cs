using k8s.Models;

namespace Cetus.Api.Resources.Pods;

/// <summary>A pod's quality of service class (core/helper/qos.ComputePodQOS), from the cpu and memory of its containers.</summary>
internal static class PodQos
{
    public const string Guaranteed = "Guaranteed";
    public const string Burstable = "Burstable";
    public const string BestEffort = "BestEffort";

    /// <summary>
    /// Guaranteed when every container limits cpu and memory and requests equal limits; BestEffort when nothing is
    /// requested or limited; Burstable otherwise. A missing request counts as its limit, as after SetDefaults_Pod.
    /// </summary>
    public static string Compute(V1PodSpec? spec)
    {
        var requests = new Dictionary<string, decimal>(StringComparer.Ordinal);
        var limits = new Dictionary<string, decimal>(StringComparer.Ordinal);
        var guaranteed = true;
        foreach (var container in (spec?.Containers ?? []).Concat(spec?.InitContainers ?? []))
        {
            var rawRequests = new Dictionary<string, ResourceQuantity>(container.Resources?.Requests ?? new Dictionary<string, ResourceQuantity>(), StringComparer.Ordinal);
            foreach (var (name, limit) in container.Resources?.Limits ?? new Dictionary<string, ResourceQuantity>())
            {
                rawRequests.TryAdd(name, limit);
            }

            var containerLimits = Compute(container.Resources?.Limits);
            var containerRequests = Compute(rawRequests);

            Add(requests, containerRequests);
            Add(limits, containerLimits);
            if (!containerLimits.ContainsKey("cpu") || !containerLimits.ContainsKey("memory"))
            {
                guaranteed = false;
            }
        }

        if (requests.Count == 0 && limits.Count == 0)
        {
            return BestEffort;
        }

        guaranteed &= requests.All(r => limits.TryGetValue(r.Key, out var limit) && limit == r.Value);
        return guaranteed && requests.Count == limits.Count ? Guaranteed : Burstable;
    }

    // Only cpu and memory count, and only values above zero.
    private static Dictionary<string, decimal> Compute(IDictionary<string, ResourceQuantity>? list)
    {
        var result = new Dictionary<string, decimal>(StringComparer.Ordinal);
        foreach (var (name, quantity) in list ?? new Dictionary<string, ResourceQuantity>())
        {
            if (name is "cpu" or "memory" && quantity.ToDecimal() > 0)
            {
                result[name] = quantity.ToDecimal();
            }
        }

        return result;
    }

    private static void Add(Dictionary<string, decimal> totals, Dictionary<string, decimal> values)
    {
        foreach (var (name, value) in values)
        {
            totals[name] = totals.GetValueOrDefault(name) + value;
        }
    }
}
