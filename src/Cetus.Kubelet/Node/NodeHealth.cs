using Cetus.Cri.V1;

namespace Cetus.Kubelet.Node;

/// <summary>The machine's resource signals (null when a reading failed): what the eviction thresholds are checked against.</summary>
/// <param name="MemoryCapacityBytes">MemTotal.</param>
/// <param name="MemoryAvailableBytes">memory.available (MemAvailable).</param>
/// <param name="NodeFsCapacityBytes">The size of the kubelet root directory's filesystem.</param>
/// <param name="NodeFsAvailableBytes">nodefs.available: the space left on it for unprivileged users.</param>
/// <param name="PidMax">kernel.pid_max.</param>
/// <param name="PidsInUse">Processes running.</param>
public sealed record ResourceSignals(long? MemoryCapacityBytes, long? MemoryAvailableBytes, long? NodeFsCapacityBytes, long? NodeFsAvailableBytes, long? PidMax, long? PidsInUse);

/// <summary>
/// Hard eviction thresholds, as the kubelet's --eviction-hard. <see cref="Default"/> is Kubernetes' default on Linux
/// for the signals Cetus reads: memory.available&lt;100Mi, nodefs.available&lt;10%; Kubernetes sets no default for
/// pid.available, so neither does Cetus (set <see cref="PidAvailablePercent"/> to turn PIDPressure on).
/// </summary>
public sealed record EvictionThresholds
{
    /// <summary>Kubernetes' defaults.</summary>
    public static EvictionThresholds Default { get; } = new();

    /// <summary>memory.available below this many bytes is MemoryPressure (100Mi).</summary>
    public long? MemoryAvailableBytes { get; init; } = 100L * 1024 * 1024;

    /// <summary>nodefs.available below this percentage of the filesystem is DiskPressure (10 %).</summary>
    public double? NodeFsAvailablePercent { get; init; } = 10;

    /// <summary>pid.available below this percentage of pid_max is PIDPressure (none by default, as upstream).</summary>
    public double? PidAvailablePercent { get; init; }

    /// <summary>Which pressures the signals show; a signal that could not be read shows none.</summary>
    public (bool Memory, bool Disk, bool Pid) Evaluate(ResourceSignals signals)
    {
        ArgumentNullException.ThrowIfNull(signals);
        var memory = MemoryAvailableBytes is { } memoryMin && signals.MemoryAvailableBytes is { } memoryAvailable && memoryAvailable < memoryMin;
        var disk = NodeFsAvailablePercent is { } diskPercent && signals.NodeFsCapacityBytes is > 0 && signals.NodeFsAvailableBytes is { } diskAvailable
            && diskAvailable < signals.NodeFsCapacityBytes.Value * diskPercent / 100;
        var pid = PidAvailablePercent is { } pidPercent && signals.PidMax is > 0 && signals.PidsInUse is { } inUse
            && signals.PidMax.Value - inUse < signals.PidMax.Value * pidPercent / 100;
        return (memory, disk, pid);
    }
}

/// <summary>
/// What the node's conditions say: Ready unless <see cref="NotReadyMessage"/> is set (the runtime is down or not
/// ready), and the three pressures.
/// </summary>
/// <param name="NotReadyMessage">Why the node is not Ready (the Ready condition's message); null when Ready.</param>
/// <param name="MemoryPressure">memory.available under its threshold.</param>
/// <param name="DiskPressure">nodefs.available under its threshold.</param>
/// <param name="PidPressure">pid.available under its threshold.</param>
public sealed record NodeHealth(string? NotReadyMessage, bool MemoryPressure = false, bool DiskPressure = false, bool PidPressure = false)
{
    /// <summary>Ready, no pressure.</summary>
    public static NodeHealth Healthy { get; } = new((string?)null);

    /// <summary>True when Ready.</summary>
    public bool Ready => NotReadyMessage is null;

    /// <summary>
    /// The Ready message from a CRI Status, as the kubelet's runtime state check: "container runtime not ready: …"
    /// when RuntimeReady is false or missing, "container runtime network not ready: …" when NetworkReady is;
    /// both joined when both are; null when both are true.
    /// </summary>
    public static string? RuntimeProblems(RuntimeStatus? status)
    {
        if (status is null)
        {
            return "container runtime status check may not have completed yet";
        }

        var problems = new List<string>(2);
        var runtime = status.Conditions.FirstOrDefault(c => c.Type == "RuntimeReady");
        if (runtime is not { Status: true })
        {
            problems.Add("container runtime not ready: " + Describe("RuntimeReady", runtime));
        }

        var network = status.Conditions.FirstOrDefault(c => c.Type == "NetworkReady");
        if (network is not { Status: true })
        {
            problems.Add("container runtime network not ready: " + Describe("NetworkReady", network));
        }

        return problems.Count == 0 ? null : string.Join(", ", problems);
    }

    private static string Describe(string type, RuntimeCondition? condition) => condition is null
        ? $"{type}=false reason: message:{type} condition is missing"
        : $"{condition.Type}={(condition.Status ? "true" : "false")} reason:{condition.Reason} message:{condition.Message}";
}
