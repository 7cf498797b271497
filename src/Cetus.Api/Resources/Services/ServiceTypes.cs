using k8s.Models;

namespace Cetus.Api.Resources.Services;

/// <summary>Facts about a service that depend on its type (pkg/api/service).</summary>
internal static class ServiceTypes
{
    /// <summary>The service types, sorted as Kubernetes lists them.</summary>
    public static readonly IReadOnlyList<string> All = ["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"];

    /// <summary>Reached from outside the cluster: a node port, a load balancer, or external IPs.</summary>
    public static bool ExternallyAccessible(V1ServiceSpec spec) =>
        spec.Type is "LoadBalancer" or "NodePort" || (spec.Type == "ClusterIP" && (spec.ExternalIPs?.Count ?? 0) > 0);

    /// <summary>A load balancer keeping traffic on the node it arrived at, which needs a health check port.</summary>
    public static bool NeedsHealthCheck(V1ServiceSpec spec) => spec.Type == "LoadBalancer" && spec.ExternalTrafficPolicy == "Local";

    /// <summary>clusterIP "None": DNS returns the pods' addresses, there is no virtual IP.</summary>
    public static bool IsHeadless(V1ServiceSpec spec) => spec.ClusterIPs is ["None"];
}
