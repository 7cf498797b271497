using k8s.Models;

namespace Cetus.Scheduler.Framework;

/// <summary>
/// What a pod asks of a node (upstream component-helpers resource.PodRequests): the larger of the app containers plus
/// native sidecars (restartable init containers) and the peak of the init phase (each init container plus the
/// sidecars started before it), plus the pod overhead.
/// </summary>
internal static class PodRequests
{
    /// <summary>The pod's requests.</summary>
    public static Resource Of(V1Pod pod) => Compute(pod, nonZero: false);

    /// <summary>
    /// The requests used for scoring: a container that asks no CPU or memory counts as 100m / 200Mi, so that
    /// best-effort pods still spread (upstream's non-zero requests).
    /// </summary>
    public static Resource NonZero(V1Pod pod) => Compute(pod, nonZero: true);

    private static Resource Compute(V1Pod pod, bool nonZero)
    {
        var requests = new Resource();
        foreach (var container in pod.Spec?.Containers ?? [])
        {
            requests.Add(ContainerRequests(container.Resources, nonZero));
        }

        var sidecars = new Resource();
        var initPeak = new Resource();
        foreach (var container in pod.Spec?.InitContainers ?? [])
        {
            var own = ContainerRequests(container.Resources, nonZero);
            if (container.RestartPolicy == "Always")
            {
                sidecars.Add(own);
                initPeak.SetMax(sidecars);
            }
            else
            {
                own.Add(sidecars);
                initPeak.SetMax(own);
            }
        }

        requests.Add(sidecars);
        requests.SetMax(initPeak);
        if (pod.Spec?.Overhead is { } overhead)
        {
            requests.Add(Resource.From(overhead));
        }

        return requests;
    }

    private static Resource ContainerRequests(V1ResourceRequirements? resources, bool nonZero)
    {
        var r = Resource.From(resources?.Requests);

        // Kubernetes defaults requests to limits when only limits are set (API defaulting); do it here too in case the
        // object did not pass through defaulting.
        if (resources?.Limits is { } limits)
        {
            foreach (var (name, quantity) in limits)
            {
                if (resources.Requests?.ContainsKey(name) != true)
                {
                    r.Set(name, Resource.From(new Dictionary<string, ResourceQuantity> { [name] = quantity }).Get(name));
                }
            }
        }

        if (nonZero)
        {
            if (resources?.Requests?.ContainsKey(Resource.Cpu) != true && r.MilliCpu == 0)
            {
                r.MilliCpu = Resource.DefaultMilliCpuRequest;
            }

            if (resources?.Requests?.ContainsKey(Resource.Memory) != true && r.MemoryBytes == 0)
            {
                r.MemoryBytes = Resource.DefaultMemoryRequest;
            }
        }

        return r;
    }
}
