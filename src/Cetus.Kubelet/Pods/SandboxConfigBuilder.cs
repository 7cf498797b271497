using Cetus.Cri.V1;
using Cetus.Kubelet.Node;
using Cetus.Kubelet.Status;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cetus.Kubelet.Pods;

/// <summary>
/// A pod's PodSandboxConfig (Kubernetes' generatePodSandboxConfig): metadata and labels, hostname (spec.hostname or the
/// pod name, cut to 63 characters; none with hostNetwork; subdomain ignored), DNS (<see cref="PodDns"/>), host port
/// mappings, the log directory, the cgroup parent of its QoS class, the pod security context (with its seccomp
/// profile, <see cref="SeccompProfiles"/>) and namespaces, and the pod's sysctls (admitted by <see cref="SysctlAdmission"/>).
/// </summary>
public sealed class SandboxConfigBuilder(NodeConfig node, ILogger? logger = null)
{
    private const int HostnameMaxLength = 63;
    private readonly ILogger _logger = logger ?? NullLogger.Instance;

    /// <summary>The pod's hostname as the sandbox gets it.</summary>
    public static string Hostname(V1Pod pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        var hostname = string.IsNullOrEmpty(pod.Spec.Hostname) ? pod.Metadata.Name : pod.Spec.Hostname;
        return hostname.Length <= HostnameMaxLength ? hostname : hostname[..HostnameMaxLength].TrimEnd('-', '.');
    }

    /// <summary>The sandbox config of attempt <paramref name="attempt"/>.</summary>
    public PodSandboxConfig Build(V1Pod pod, uint attempt)
    {
        ArgumentNullException.ThrowIfNull(pod);
        var meta = pod.Metadata;
        var config = new PodSandboxConfig
        {
            Metadata = new PodSandboxMetadata { Name = meta.Name, Namespace = meta.NamespaceProperty, Uid = meta.Uid, Attempt = attempt },
            Hostname = pod.Spec.HostNetwork == true ? string.Empty : Hostname(pod),
            LogDirectory = $"/var/log/pods/{meta.NamespaceProperty}_{meta.Name}_{meta.Uid}",
            DnsConfig = PodDns.For(pod, node, out var missingClusterDns),
            Labels =
            {
                [CriLabels.PodName] = meta.Name,
                [CriLabels.PodNamespace] = meta.NamespaceProperty,
                [CriLabels.PodUid] = meta.Uid,
            },
            Linux = new LinuxPodSandboxConfig { CgroupParent = CgroupParent(pod), SecurityContext = SecurityContexts.Sandbox(pod) },
        };
        SeccompProfiles.Apply(config.Linux.SecurityContext, pod, SeccompProfiles.Root(node.RootDirectory ?? Volumes.VolumeManager.NominalRoot));
        foreach (var sysctl in pod.Spec.SecurityContext?.Sysctls ?? [])
        {
            config.Linux.Sysctls[SysctlAdmission.NormalizeName(sysctl.Name)] = sysctl.Value ?? string.Empty;
        }

        if (missingClusterDns && attempt == 0)
        {
            _logger.LogWarning("pod {Namespace}/{Name}: kubelet does not have ClusterDNS IP configured and cannot create Pod using \"ClusterFirst\" policy; falling back to \"Default\" policy", meta.NamespaceProperty, meta.Name);
        }

        foreach (var (key, value) in meta.Annotations ?? new Dictionary<string, string>())
        {
            config.Annotations[key] = value;
        }

        foreach (var port in pod.Spec.Containers.SelectMany(c => c.Ports ?? []).Where(p => p.HostPort is > 0))
        {
            config.PortMappings.Add(new PortMapping
            {
                Protocol = port.Protocol switch { "UDP" => Protocol.Udp, "SCTP" => Protocol.Sctp, _ => Protocol.Tcp },
                ContainerPort = port.ContainerPort,
                HostPort = port.HostPort ?? 0,
                HostIp = port.HostIP ?? string.Empty,
            });
        }

        return config;
    }

    // The kubelet's cgroupfs layout: kubepods/<qos>/pod<uid> (Guaranteed pods sit right under kubepods).
    private static string CgroupParent(V1Pod pod) => QosClasses.Of(pod) switch
    {
        QosClasses.Guaranteed => $"/kubepods/pod{pod.Metadata.Uid}",
        QosClasses.Burstable => $"/kubepods/burstable/pod{pod.Metadata.Uid}",
        _ => $"/kubepods/besteffort/pod{pod.Metadata.Uid}",
    };
}
