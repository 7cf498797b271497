using k8s.Models;

namespace Cetus.Kubelet.Node;

/// <summary>Builds the Node a kubelet registers and the status it reports, as Kubernetes' kubelet (nodestatus setters).</summary>
public static class NodeBuilder
{
    /// <summary>The Node object to create: well-known labels, taints and the initial status.</summary>
    public static V1Node Build(NodeConfig config, string runtimeVersion, DateTime now)
    {
        ArgumentNullException.ThrowIfNull(config);
        var labels = new Dictionary<string, string>
        {
            ["kubernetes.io/hostname"] = config.Name,
            ["kubernetes.io/os"] = config.OperatingSystem,
            ["kubernetes.io/arch"] = config.Architecture,
            ["beta.kubernetes.io/os"] = config.OperatingSystem,
            ["beta.kubernetes.io/arch"] = config.Architecture,
        };
        foreach (var (key, value) in config.Labels)
        {
            labels[key] = value;
        }

        return new V1Node
        {
            ApiVersion = "v1",
            Kind = "Node",
            Metadata = new V1ObjectMeta
            {
                Name = config.Name,
                Labels = labels,
                Annotations = new Dictionary<string, string> { ["node.alpha.kubernetes.io/ttl"] = "0" },
            },
            Spec = new V1NodeSpec { Taints = config.Taints.Count > 0 ? [.. config.Taints] : null },
            Status = Status(config, runtimeVersion, NodeHealth.Healthy, now, previous: null),
        };
    }

    /// <summary>The node status with Ready as <paramref name="ready"/> (not ready: "container runtime is down") and no pressure.</summary>
    public static V1NodeStatus Status(NodeConfig config, string runtimeVersion, bool ready, DateTime now, V1NodeStatus? previous) =>
        Status(config, runtimeVersion, ready ? NodeHealth.Healthy : new NodeHealth("container runtime is down"), now, previous);

    /// <summary>
    /// The node status: capacity, allocatable, the four conditions from <paramref name="health"/> (kept transition
    /// times when unchanged, heartbeat = <paramref name="now"/>), addresses, nodeInfo and the kubelet endpoint.
    /// </summary>
    public static V1NodeStatus Status(NodeConfig config, string runtimeVersion, NodeHealth health, DateTime now, V1NodeStatus? previous)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(health);
        now = Truncate(now);
        return new V1NodeStatus
        {
            Capacity = config.Capacity.ToDictionary(),
            Allocatable = (config.Allocatable ?? config.Capacity).ToDictionary(),
            Conditions =
            [
                health.MemoryPressure
                    ? Condition("MemoryPressure", "True", "KubeletHasInsufficientMemory", "kubelet has insufficient memory available", now, previous)
                    : Condition("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available", now, previous),
                health.DiskPressure
                    ? Condition("DiskPressure", "True", "KubeletHasDiskPressure", "kubelet has disk pressure", now, previous)
                    : Condition("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure", now, previous),
                health.PidPressure
                    ? Condition("PIDPressure", "True", "KubeletHasInsufficientPID", "kubelet has insufficient PID available", now, previous)
                    : Condition("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available", now, previous),
                health.NotReadyMessage is { } notReady
                    ? Condition("Ready", "False", "KubeletNotReady", notReady, now, previous)
                    : Condition("Ready", "True", "KubeletReady", "kubelet is posting ready status", now, previous),
            ],
            Addresses =
            [
                new V1NodeAddress { Type = "InternalIP", Address = config.InternalIP },
                new V1NodeAddress { Type = "Hostname", Address = config.Hostname ?? config.Name },
            ],
            DaemonEndpoints = new V1NodeDaemonEndpoints { KubeletEndpoint = new V1DaemonEndpoint { Port = config.KubeletPort } },
            NodeInfo = new V1NodeSystemInfo
            {
                MachineID = config.MachineId,
                SystemUUID = config.SystemUuid ?? config.MachineId,
                BootID = config.BootId ?? config.MachineId,
                KernelVersion = config.KernelVersion,
                OsImage = config.OSImage,
                ContainerRuntimeVersion = runtimeVersion,
                KubeletVersion = config.KubeletVersion,
                KubeProxyVersion = string.Empty,
                OperatingSystem = config.OperatingSystem,
                Architecture = config.Architecture,
            },
        };
    }

    /// <summary>Truncates to whole seconds, as the API server stores times.</summary>
    public static DateTime Truncate(DateTime time) => new(time.Ticks - (time.Ticks % TimeSpan.TicksPerSecond), DateTimeKind.Utc);

    private static V1NodeCondition Condition(string type, string status, string reason, string message, DateTime now, V1NodeStatus? previous)
    {
        var before = previous?.Conditions?.FirstOrDefault(c => c.Type == type);
        return new V1NodeCondition
        {
            Type = type,
            Status = status,
            Reason = reason,
            Message = message,
            LastHeartbeatTime = now,
            LastTransitionTime = before is not null && before.Status == status && before.LastTransitionTime is { } kept ? kept : now,
        };
    }
}
