using Cetus.Scheduler.Framework;
using k8s.Models;

namespace Cetus.Scheduler.Plugins.NodePorts;

/// <summary>
/// Filters out nodes where a host port the pod asks for is taken: same protocol and port, and the same host IP or
/// either one being 0.0.0.0 (all addresses).
/// </summary>
internal sealed class NodePorts : IPreFilterPlugin, IFilterPlugin, IEnqueueExtensions
{
    public const string PluginName = "NodePorts";

    /// <summary>Upstream ErrReason.</summary>
    public const string ErrReason = "node(s) didn't have free ports for the requested pod ports";

    private const string StateKey = "PreFilter" + PluginName;

    public string Name => PluginName;

    public (PreFilterResult? Result, Status? Status) PreFilter(CycleState state, V1Pod pod, IReadOnlyList<NodeInfo> nodes)
    {
        List<(string Protocol, string Ip, int Port)> ports = [.. NodeInfo.HostPorts(pod)];
        if (ports.Count == 0)
        {
            return (null, Status.Skip());
        }

        state.Write(StateKey, ports);
        return (null, null);
    }

    public Status? Filter(CycleState state, V1Pod pod, NodeInfo node)
    {
        var wanted = state.Read<List<(string Protocol, string Ip, int Port)>>(StateKey) ?? [.. NodeInfo.HostPorts(pod)];
        foreach (var (protocol, ip, port) in wanted)
        {
            if (node.UsedPorts.Any(u => u.Protocol == protocol && u.Port == port && (u.Ip == ip || u.Ip == "0.0.0.0" || ip == "0.0.0.0")))
            {
                return Status.Unschedulable(ErrReason);
            }
        }

        return null;
    }

    public IReadOnlyList<ClusterEvent> EventsToRegister() =>
        [new(EventResource.Node, ActionType.Add, "NodeAdd"), new(EventResource.AssignedPod, ActionType.Delete, "AssignedPodDelete")];
}
