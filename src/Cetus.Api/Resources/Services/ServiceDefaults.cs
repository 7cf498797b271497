using k8s.Models;

namespace Cetus.Api.Resources.Services;

/// <summary>core/v1 SetDefaults_Service, and the IP family fields the service registry fills in a single-stack IPv4 cluster.</summary>
internal static class ServiceDefaults
{
    /// <summary>Three hours: how long ClientIP affinity sticks by default.</summary>
    public const int DefaultClientIPTimeoutSeconds = 10800;

    public static void Apply(V1Service service)
    {
        var spec = service.Spec ??= new V1ServiceSpec();
        if (string.IsNullOrEmpty(spec.SessionAffinity))
        {
            spec.SessionAffinity = "None";
        }

        if (spec.SessionAffinity == "None")
        {
            spec.SessionAffinityConfig = null;
        }
        else if (spec.SessionAffinity == "ClientIP" && spec.SessionAffinityConfig?.ClientIP?.TimeoutSeconds is null)
        {
            spec.SessionAffinityConfig = new V1SessionAffinityConfig { ClientIP = new V1ClientIPConfig { TimeoutSeconds = DefaultClientIPTimeoutSeconds } };
        }

        if (string.IsNullOrEmpty(spec.Type))
        {
            spec.Type = "ClusterIP";
        }

        foreach (var port in spec.Ports ?? [])
        {
            if (string.IsNullOrEmpty(port.Protocol))
            {
                port.Protocol = "TCP";
            }

            if (port.TargetPort?.Value is null or "" or "0")
            {
                port.TargetPort = port.Port;
            }
        }

        if (ServiceTypes.ExternallyAccessible(spec) && string.IsNullOrEmpty(spec.ExternalTrafficPolicy))
        {
            spec.ExternalTrafficPolicy = "Cluster";
        }

        if (spec.InternalTrafficPolicy is null && spec.Type is "ClusterIP" or "NodePort" or "LoadBalancer")
        {
            spec.InternalTrafficPolicy = "Cluster";
        }

        if (spec.Type == "LoadBalancer")
        {
            spec.AllocateLoadBalancerNodePorts ??= true;
        }

        // clusterIPs is the list form of clusterIP; a client may set either.
        if (!string.IsNullOrEmpty(spec.ClusterIP) && (spec.ClusterIPs?.Count ?? 0) == 0)
        {
            spec.ClusterIPs = [spec.ClusterIP];
        }
        else if (string.IsNullOrEmpty(spec.ClusterIP) && spec.ClusterIPs is [var primary, ..])
        {
            spec.ClusterIP = primary;
        }

        // The registry's IP allocator fills these; Cetus' cluster network is single-stack IPv4.
        if (spec.Type != "ExternalName")
        {
            spec.IpFamilyPolicy ??= "SingleStack";
            if ((spec.IpFamilies?.Count ?? 0) == 0)
            {
                spec.IpFamilies = [spec.ClusterIPs is [var first, ..] && Validation.IpAddresses.IsIPv6(first) ? "IPv6" : "IPv4"];
            }
        }
    }
}
