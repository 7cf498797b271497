using k8s.Models;

namespace Cetus.Api.Resources.Pods;

/// <summary>
/// What a pod (not a template) gets: SetDefaults_Pod, plus what kube-apiserver's DefaultTolerationSeconds admission
/// plugin sets (300 s for not-ready and unreachable nodes). The ServiceAccount and Priority plugins read other objects:
/// they are the API server's ServiceAccountAdmission and PriorityAdmission.
/// </summary>
internal static class PodDefaults
{
    /// <summary>How long a pod stays bound to a not-ready or unreachable node before eviction.</summary>
    public const long DefaultTolerationSeconds = 300;

    public static void Apply(V1Pod pod)
    {
        var spec = pod.Spec ??= new V1PodSpec();
        PodSpecDefaults.Apply(spec);
        foreach (var container in (spec.Containers ?? []).Concat(spec.InitContainers ?? []))
        {
            RequestsFromLimits(container);
        }

        spec.EnableServiceLinks ??= true;
        if (spec.HostNetwork == true)
        {
            foreach (var port in (spec.Containers ?? []).Concat(spec.InitContainers ?? []).SelectMany(c => c.Ports ?? []))
            {
                port.HostPort = port.HostPort is null or 0 ? port.ContainerPort : port.HostPort;
            }
        }

        Tolerate(spec, "node.kubernetes.io/not-ready");
        Tolerate(spec, "node.kubernetes.io/unreachable");
    }

    // A limit without a request means the request equals the limit.
    private static void RequestsFromLimits(V1Container container)
    {
        if (container.Resources?.Limits is not { } limits)
        {
            return;
        }

        var requests = container.Resources.Requests ??= new Dictionary<string, ResourceQuantity>();
        foreach (var (name, quantity) in limits)
        {
            requests.TryAdd(name, new ResourceQuantity(quantity.ToString()));
        }
    }

    private static void Tolerate(V1PodSpec spec, string taint)
    {
        var tolerated = (spec.Tolerations ?? []).Any(t =>
            (t.Key == taint || string.IsNullOrEmpty(t.Key)) && (t.Effect == "NoExecute" || string.IsNullOrEmpty(t.Effect)));
        if (!tolerated)
        {
            (spec.Tolerations ??= []).Add(new V1Toleration
            {
                Key = taint,
                OperatorProperty = "Exists",
                Effect = "NoExecute",
                TolerationSeconds = DefaultTolerationSeconds,
            });
        }
    }
}
