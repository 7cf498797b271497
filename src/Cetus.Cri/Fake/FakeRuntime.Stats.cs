using Cetus.Cri.V1;

namespace Cetus.Cri.Fake;

/// <summary>Container stats: what tests set with <see cref="SetContainerStats"/>, zero for the rest.</summary>
public sealed partial class FakeRuntime
{
    private readonly Dictionary<string, FakeContainerUsage> _usage = [];

    /// <summary>
    /// Sets what ContainerStats and ListContainerStats report for a container from now on (sampled at the runtime's
    /// clock); a container never set reports zero CPU and memory.
    /// </summary>
    public void SetContainerStats(string containerId, FakeContainerUsage usage)
    {
        ArgumentNullException.ThrowIfNull(usage);
        lock (_lock)
        {
            _usage[containerId] = usage;
        }
    }

    /// <inheritdoc/>
    public Task<ContainerStats> ContainerStatsAsync(string containerId, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            Begin("ContainerStats");
            return Task.FromResult(Stats(ContainerOrThrow(containerId)));
        }
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<ContainerStats>> ListContainerStatsAsync(ContainerStatsFilter? filter, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            Begin("ListContainerStats");
            // As containerd: stats come from the running task, so only running containers have them.
            IReadOnlyList<ContainerStats> items = [.. _containers.Values
                .Where(c => c.Status.State == ContainerState.ContainerRunning)
                .Where(c => filter is null || (Matches(filter.Id, c.Status.Id) && Matches(filter.PodSandboxId, c.SandboxId) && LabelsMatch(filter.LabelSelector, c.Status.Labels)))
                .OrderBy(c => c.Status.CreatedAt)
                .Select(Stats)];
            return Task.FromResult(items);
        }
    }

    private ContainerStats Stats(ContainerRecord container)
    {
        var usage = _usage.GetValueOrDefault(container.Status.Id) ?? FakeContainerUsage.Idle;
        var now = (_options.Time.GetUtcNow() - DateTimeOffset.UnixEpoch).Ticks * 100;
        var cpu = new CpuUsage { Timestamp = now, UsageCoreNanoSeconds = new UInt64Value { Value = usage.UsageCoreNanoSeconds } };
        if (usage.UsageNanoCores is { } nanoCores)
        {
            cpu.UsageNanoCores = new UInt64Value { Value = nanoCores };
        }

        return new ContainerStats
        {
            Attributes = new ContainerAttributes
            {
                Id = container.Status.Id,
                Metadata = container.Status.Metadata.Clone(),
                Labels = { container.Status.Labels },
                Annotations = { container.Status.Annotations },
            },
            Cpu = cpu,
            Memory = new MemoryUsage
            {
                Timestamp = now,
                WorkingSetBytes = new UInt64Value { Value = usage.WorkingSetBytes },
                UsageBytes = new UInt64Value { Value = usage.UsageBytes ?? usage.WorkingSetBytes },
            },
        };
    }
}

/// <summary>The usage a fake container reports.</summary>
/// <param name="UsageCoreNanoSeconds">Cumulative CPU since the container started, in core-nanoseconds.</param>
/// <param name="WorkingSetBytes">Memory working set.</param>
/// <param name="UsageNanoCores">The runtime's own CPU rate, or null to leave it out (as containerd before its second sample).</param>
/// <param name="UsageBytes">Memory usage (null: the working set).</param>
public sealed record FakeContainerUsage(ulong UsageCoreNanoSeconds, ulong WorkingSetBytes, ulong? UsageNanoCores = null, ulong? UsageBytes = null)
{
    /// <summary>No CPU used, no memory.</summary>
    public static FakeContainerUsage Idle { get; } = new(0, 0);
}
