using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;
using k8s.Models;

namespace Cetus.Scheduler.Framework;

/// <summary>A pod as the scheduler sees it, with its requests computed once.</summary>
internal sealed class PodInfo
{
    public PodInfo(V1Pod pod)
    {
        Pod = pod;
        Requests = PodRequests.Of(pod);
        NonZeroRequests = PodRequests.NonZero(pod);
        Key = Cetus.Client.ObjectKeys.Of(pod);
        HostPorts = [.. NodeInfo.HostPorts(pod)];
    }

    public V1Pod Pod { get; }

    public Resource Requests { get; }

    public Resource NonZeroRequests { get; }

    /// <summary>namespace/name, computed once: nodes look pods up by it.</summary>
    public string Key { get; }

    /// <summary>The host ports the pod asks for (see <see cref="NodeInfo.HostPorts"/>), computed once.</summary>
    public IReadOnlyList<(string Protocol, string Ip, int Port)> HostPorts { get; }

    /// <summary>True when the pod has any pod affinity or anti-affinity (InterPodAffinity must look at it).</summary>
    public bool HasAffinity => Pod.Spec?.Affinity?.PodAffinity is not null || Pod.Spec?.Affinity?.PodAntiAffinity is not null;

    /// <summary>True when the pod has required anti-affinity terms (which other pods must respect).</summary>
    public bool HasRequiredAntiAffinity => Pod.Spec?.Affinity?.PodAntiAffinity?.RequiredDuringSchedulingIgnoredDuringExecution is { Count: > 0 };
}

/// <summary>
/// A node with the pods on it (bound or assumed) and the sums the filters need. The cache owns one per node and
/// mutates it; each scheduling cycle reads a clone from the snapshot, so plugins may read it without locks.
/// </summary>
internal sealed class NodeInfo
{
    private readonly List<PodInfo> _pods = [];

    public NodeInfo(V1Node? node = null)
    {
        SetNode(node);
    }

    public V1Node? Node { get; private set; }

    /// <summary>The node's name, kept when the node is set: every filter of every cycle reads it.</summary>
    public string Name { get; private set; } = string.Empty;

    /// <summary>spec.unschedulable, kept when the node is set: the first filter of every node need not reach the node object.</summary>
    public bool Unschedulable { get; private set; }

    /// <summary>spec.taints (empty when none), kept when the node is set, for the same reason.</summary>
    public IReadOnlyList<V1Taint> Taints { get; private set; } = [];

    public IReadOnlyList<PodInfo> Pods => _pods;

    /// <summary>The pods with pod affinity or anti-affinity (upstream PodsWithAffinity), so most pods skip the scan.</summary>
    public IEnumerable<PodInfo> PodsWithAffinity => AffinityPods == 0 ? [] : _pods.Where(p => p.HasAffinity);

    /// <summary>The pods with required anti-affinity (upstream PodsWithRequiredAntiAffinity).</summary>
    public IEnumerable<PodInfo> PodsWithRequiredAntiAffinity => RequiredAntiAffinityPods == 0 ? [] : _pods.Where(p => p.HasRequiredAntiAffinity);

    /// <summary>How many of the pods have pod affinity or anti-affinity: nodes with none are skipped without a scan.</summary>
    public int AffinityPods { get; private set; }

    /// <summary>How many of the pods have required anti-affinity.</summary>
    public int RequiredAntiAffinityPods { get; private set; }

    /// <summary>The sum of the pods' requests.</summary>
    public Resource Requested { get; private set; } = new();

    /// <summary>The sum of the pods' requests with 100m / 200Mi for containers that ask none (for scoring).</summary>
    public Resource NonZeroRequested { get; private set; } = new();

    public Resource Allocatable { get; private set; } = new();

    /// <summary>Host ports in use: (protocol, host IP, port).</summary>
    public HashSet<(string Protocol, string Ip, int Port)> UsedPorts { get; private set; } = [];

    /// <summary>Bumped on every change, so that the snapshot copies only nodes that changed.</summary>
    public long Generation { get; set; }

    // The numbers every cycle reads for every node it filters and scores, copied here from the resources above and the
    // pod list: with thousands of nodes each node is a cache miss, and these cost one instead of one per object.

    /// <summary>How many pods are on the node (<see cref="Pods"/>' count).</summary>
    public int PodCount { get; private set; }

    /// <summary>Allocatable CPU, in millicores (<see cref="Allocatable"/>).</summary>
    public long AllocatableMilliCpu { get; private set; }

    /// <summary>Allocatable memory, in bytes.</summary>
    public long AllocatableMemory { get; private set; }

    /// <summary>Allocatable ephemeral storage, in bytes.</summary>
    public long AllocatableEphemeral { get; private set; }

    /// <summary>How many pods the node takes.</summary>
    public long AllowedPods { get; private set; }

    /// <summary>The CPU the pods request, in millicores (<see cref="Requested"/>).</summary>
    public long RequestedMilliCpu { get; private set; }

    /// <summary>The memory the pods request, in bytes.</summary>
    public long RequestedMemory { get; private set; }

    /// <summary>The ephemeral storage the pods request, in bytes.</summary>
    public long RequestedEphemeral { get; private set; }

    /// <summary>The CPU of <see cref="NonZeroRequested"/>, in millicores.</summary>
    public long NonZeroMilliCpu { get; private set; }

    /// <summary>The memory of <see cref="NonZeroRequested"/>, in bytes.</summary>
    public long NonZeroMemory { get; private set; }

    public void SetNode(V1Node? node)
    {
        Node = node;
        Name = node?.Metadata?.Name ?? string.Empty;
        Unschedulable = node?.Spec?.Unschedulable == true;
        Taints = node?.Spec?.Taints is { Count: > 0 } taints ? [.. taints] : [];
        Allocatable = Resource.From(node?.Status?.Allocatable ?? node?.Status?.Capacity);
        (AllocatableMilliCpu, AllocatableMemory, AllocatableEphemeral, AllowedPods) =
            (Allocatable.MilliCpu, Allocatable.MemoryBytes, Allocatable.EphemeralBytes, Allocatable.AllowedPodNumber);
    }

    public void AddPod(PodInfo pod)
    {
        _pods.Add(pod);
        AffinityPods += pod.HasAffinity ? 1 : 0;
        RequiredAntiAffinityPods += pod.HasRequiredAntiAffinity ? 1 : 0;
        Requested.Add(pod.Requests);
        NonZeroRequested.Add(pod.NonZeroRequests);
        foreach (var port in pod.HostPorts)
        {
            UsedPorts.Add(port);
        }

        CopyCounts();
    }

    /// <summary>Removes the pod with this key; false when it is not here.</summary>
    public bool RemovePod(string key)
    {
        var index = -1;
        for (var i = 0; i < _pods.Count; i++)
        {
            if (string.Equals(_pods[i].Key, key, StringComparison.Ordinal))
            {
                index = i;
                break;
            }
        }

        if (index < 0)
        {
            return false;
        }

        var pod = _pods[index];
        _pods.RemoveAt(index);
        AffinityPods -= pod.HasAffinity ? 1 : 0;
        RequiredAntiAffinityPods -= pod.HasRequiredAntiAffinity ? 1 : 0;
        Requested.Subtract(pod.Requests);
        NonZeroRequested.Subtract(pod.NonZeroRequests);
        if (pod.HostPorts.Count > 0)
        {
            // Another pod may use the same port: the set is rebuilt from the pods that stay.
            UsedPorts = [.. _pods.SelectMany(p => p.HostPorts)];
        }

        CopyCounts();
        return true;
    }

    public NodeInfo Clone()
    {
        var clone = new NodeInfo(Node)
        {
            Requested = Requested.Clone(),
            NonZeroRequested = NonZeroRequested.Clone(),
            UsedPorts = [.. UsedPorts],
            Generation = Generation,
            AffinityPods = AffinityPods,
            RequiredAntiAffinityPods = RequiredAntiAffinityPods,
        };
        clone._pods.AddRange(_pods);
        clone.CopyCounts();
        return clone;
    }

    /// <summary>
    /// Asks the processor to bring <paramref name="node"/>'s fields into its cache, so that they are there when the
    /// node's turn comes: with thousands of nodes, filtering waited on memory at each node's first field (the first
    /// filter of a node took 40 % of a cycle at 5,000 nodes, in the API server's process). A hint only: nothing is
    /// read, and an object the garbage collector moves meanwhile is merely fetched at its old place.
    /// </summary>
    public static unsafe void Prefetch(NodeInfo node)
    {
        if (Sse.IsSupported)
        {
            // The reference is the object's address; its fields span about three cache lines.
            var address = (byte*)Unsafe.As<NodeInfo, nint>(ref node);
            Sse.Prefetch0(address);
            Sse.Prefetch0(address + 64);
            Sse.Prefetch0(address + 128);
        }
    }

    private void CopyCounts()
    {
        PodCount = _pods.Count;
        (RequestedMilliCpu, RequestedMemory, RequestedEphemeral) = (Requested.MilliCpu, Requested.MemoryBytes, Requested.EphemeralBytes);
        (NonZeroMilliCpu, NonZeroMemory) = (NonZeroRequested.MilliCpu, NonZeroRequested.MemoryBytes);
    }

    /// <summary>The host ports a pod asks for; the host IP defaults to 0.0.0.0 and the protocol to TCP.</summary>
    public static IEnumerable<(string Protocol, string Ip, int Port)> HostPorts(V1Pod pod) =>
        from container in (pod.Spec?.Containers ?? []).Concat(pod.Spec?.InitContainers ?? [])
        from port in container.Ports ?? []
        where port.HostPort is > 0
        select (string.IsNullOrEmpty(port.Protocol) ? "TCP" : port.Protocol, string.IsNullOrEmpty(port.HostIP) ? "0.0.0.0" : port.HostIP, port.HostPort!.Value);
}
