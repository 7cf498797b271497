using k8s.Models;

namespace Cetus.Kubelet.Node;

/// <summary>What a node registers with: its name, capacity, labels, taints, addresses and system information.</summary>
public sealed record NodeConfig
{
    /// <summary>The node's name (also its Lease's name and its kubernetes.io/hostname label).</summary>
    public required string Name { get; init; }

    /// <summary>Capacity: cpu, memory, ephemeral-storage, pods (and any extended resource).</summary>
    public required IReadOnlyDictionary<string, ResourceQuantity> Capacity { get; init; }

    /// <summary>What is left for pods; the capacity when null (no system or kube reservations).</summary>
    public IReadOnlyDictionary<string, ResourceQuantity>? Allocatable { get; init; }

    /// <summary>Labels added to the well-known ones (hostname, os, arch).</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    /// <summary>Taints to register with (the kubelet's --register-with-taints).</summary>
    public IReadOnlyList<V1Taint> Taints { get; init; } = [];

    /// <summary>The node's InternalIP (also every pod's hostIP).</summary>
    public required string InternalIP { get; init; }

    /// <summary>Operating system and architecture labels and nodeInfo.</summary>
    public string OperatingSystem { get; init; } = "linux";

    /// <summary>The architecture (kubernetes.io/arch).</summary>
    public string Architecture { get; init; } = "amd64";

    /// <summary>Kernel version in nodeInfo.</summary>
    public string KernelVersion { get; init; } = Environment.OSVersion.Version.ToString();

    /// <summary>OS image in nodeInfo.</summary>
    public string OSImage { get; init; } = "Cetus";

    /// <summary>The kubelet version in nodeInfo (kubectl's VERSION column).</summary>
    public string KubeletVersion { get; init; } = "v1.32.4";

    /// <summary>The port of the kubelet's own server (status.daemonEndpoints).</summary>
    public int KubeletPort { get; init; } = 10250;

    /// <summary>The machine and boot ids in nodeInfo.</summary>
    public string MachineId { get; init; } = Guid.NewGuid().ToString("N");

    /// <summary>The boot id in nodeInfo (<see cref="MachineId"/> when null).</summary>
    public string? BootId { get; init; }

    /// <summary>The system UUID in nodeInfo (<see cref="MachineId"/> when null).</summary>
    public string? SystemUuid { get; init; }

    /// <summary>The Hostname address (<see cref="Name"/> when null).</summary>
    public string? Hostname { get; init; }

    /// <summary>
    /// The kubelet's root directory (pods/UID/volumes, etc-hosts, termination messages live under it); null for
    /// simulated nodes, which write no files and give containers nominal mount paths.
    /// </summary>
    public string? RootDirectory { get; init; }

    /// <summary>The cluster DNS server pods with dnsPolicy ClusterFirst use; null falls back to the host's resolv.conf (as the kubelet does).</summary>
    public string? ClusterDns { get; init; }

    /// <summary>The cluster's DNS domain (search paths NS.svc.DOMAIN svc.DOMAIN DOMAIN).</summary>
    public string ClusterDomain { get; init; } = "cluster.local";

    /// <summary>The host's resolver configuration (dnsPolicy Default); null or missing means no host DNS settings.</summary>
    public string? ResolvConf { get; init; } = "/etc/resolv.conf";

    /// <summary>
    /// True for simulated nodes (<c>cetus hollow</c>): their pod IPs lead nowhere, so httpGet and tcpSocket probes and
    /// hooks succeed without a connection (exec actions still go to the runtime).
    /// </summary>
    public bool SimulatedNetwork { get; init; }

    /// <summary>
    /// Unsafe sysctls (names, or prefixes ending in <c>*</c>) pods may set besides the safe set (the kubelet's
    /// --allowed-unsafe-sysctls); see <see cref="Pods.SysctlAdmission"/>.
    /// </summary>
    public IReadOnlyList<string> AllowedUnsafeSysctls { get; init; } = [];
}
