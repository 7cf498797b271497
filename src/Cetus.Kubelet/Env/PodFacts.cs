using Cetus.Kubelet.Node;
using k8s.Models;

namespace Cetus.Kubelet.Env;

/// <summary>What the downward API can tell a container: the pod, its node, and the IPs known so far.</summary>
/// <param name="Pod">The pod.</param>
/// <param name="Node">The node it runs on (allocatable resources stand in for unset limits).</param>
/// <param name="PodIP">The sandbox's IP once known.</param>
public sealed record PodFacts(V1Pod Pod, NodeConfig Node, string? PodIP);
