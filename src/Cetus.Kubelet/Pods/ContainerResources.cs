using Cetus.Cri.V1;
using k8s.Models;

namespace Cetus.Kubelet.Pods;

/// <summary>
/// Container resources → cgroup settings (Kubernetes' calculateLinuxResources): cpu shares from the cpu request (the
/// limit when only that is set; 2 when neither), CFS quota from the cpu limit over a 100 ms period, the memory limit in
/// bytes. oom_score_adj is left to the runtime (containerd restricts it for unprivileged callers).
/// </summary>
public static class ContainerResources
{
    /// <summary>The CFS period (µs).</summary>
    public const long QuotaPeriod = 100_000;

    private const long MinShares = 2;
    private const long MaxShares = 262_144;
    private const long MinQuota = 1_000;

    /// <summary>The container's Linux resources.</summary>
    public static LinuxContainerResources For(V1Container container)
    {
        ArgumentNullException.ThrowIfNull(container);
        var cpuRequest = MilliCpu(container.Resources?.Requests);
        var cpuLimit = MilliCpu(container.Resources?.Limits);
        var memoryLimit = container.Resources?.Limits?.TryGetValue("memory", out var memory) == true ? (long)Math.Ceiling(memory.ToDecimal()) : 0;
        return new LinuxContainerResources
        {
            CpuShares = Shares(cpuRequest == 0 && cpuLimit != 0 ? cpuLimit : cpuRequest),
            CpuPeriod = QuotaPeriod,
            CpuQuota = Quota(cpuLimit),
            MemoryLimitInBytes = memoryLimit,
        };
    }

    /// <summary>cpu shares for <paramref name="milliCpu"/> millicores (1024 per cpu, at least 2, at most 262144).</summary>
    public static long Shares(long milliCpu) => milliCpu == 0 ? MinShares : Math.Clamp(milliCpu * 1024 / 1000, MinShares, MaxShares);

    /// <summary>The CFS quota (µs per period) for a limit of <paramref name="milliCpu"/> millicores; 0 (none) without a limit.</summary>
    public static long Quota(long milliCpu) => milliCpu == 0 ? 0 : Math.Max(milliCpu * QuotaPeriod / 1000, MinQuota);

    // Millicores, rounded up as Quantity.MilliValue does.
    private static long MilliCpu(IDictionary<string, ResourceQuantity>? values) =>
        values?.TryGetValue("cpu", out var cpu) == true ? (long)Math.Ceiling(cpu.ToDecimal() * 1000) : 0;
}
