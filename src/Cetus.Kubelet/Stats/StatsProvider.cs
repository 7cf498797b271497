using Cetus.Api.Stats;
using Cetus.Cri;
using Cetus.Kubelet.Pods;
using CriContainerStats = Cetus.Cri.V1.ContainerStats;

namespace Cetus.Kubelet.Stats;

/// <summary>How <see cref="StatsProvider"/> samples.</summary>
public sealed record StatsProviderOptions
{
    /// <summary>
    /// When a container (or the node) has no earlier sample and the runtime gives no rate of its own, the provider
    /// samples again this much later and reports the rate between the two (so a summary never reports a rate averaged
    /// since the container started). Bounded: a summary waits at most this once.
    /// </summary>
    public TimeSpan SecondSampleDelay { get; init; } = TimeSpan.FromSeconds(1);
}

/// <summary>
/// Builds the kubelet's <see cref="StatsSummary"/>: the node's CPU and memory from /proc, and each pod's containers
/// from CRI ListContainerStats (pods found by the io.kubernetes.* labels the kubelet puts on containers). CPU
/// usageNanoCores is the runtime's when it gives one (non-zero); otherwise the rate of usageCoreNanoSeconds since the
/// previous summary's sample of the same container, kept here; with no previous sample the provider takes a second
/// one <see cref="StatsProviderOptions.SecondSampleDelay"/> later. Summaries are computed one at a time.
/// </summary>
public sealed class StatsProvider
{
    private const string NodeKey = "";
    private readonly string _nodeName;
    private readonly IRuntimeService _runtime;
    private readonly IHostFiles _files;
    private readonly TimeProvider _time;
    private readonly StatsProviderOptions _options;
    private readonly Func<TimeSpan, CancellationToken, Task> _delay;
    private readonly SemaphoreSlim _oneAtATime = new(1, 1);
    private Dictionary<string, Sample> _previous = [];

    /// <summary>A provider for node <paramref name="nodeName"/>; <paramref name="delay"/> waits between two samples (tests pass their own).</summary>
    public StatsProvider(string nodeName, IRuntimeService runtime, IHostFiles? files = null, TimeProvider? time = null, StatsProviderOptions? options = null, Func<TimeSpan, CancellationToken, Task>? delay = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(nodeName);
        _nodeName = nodeName;
        _runtime = runtime ?? throw new ArgumentNullException(nameof(runtime));
        _files = files ?? HostFiles.Instance;
        _time = time ?? TimeProvider.System;
        _options = options ?? new StatsProviderOptions();
        _delay = delay ?? ((wait, cancellationToken) => Task.Delay(wait, _time, cancellationToken));
    }

    /// <summary>The current summary of the node and its pods.</summary>
    public async Task<StatsSummary> GetSummaryAsync(CancellationToken cancellationToken)
    {
        await _oneAtATime.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var snapshot = await SnapshotAsync(cancellationToken).ConfigureAwait(false);
            if (snapshot.Samples.Any(s => s.Value.RuntimeNanoCores is null && !HasEarlier(_previous, s.Key, s.Value)))
            {
                // Someone has no earlier sample: remember this one, and sample again a little later.
                Remember(snapshot);
                await _delay(_options.SecondSampleDelay, cancellationToken).ConfigureAwait(false);
                snapshot = await SnapshotAsync(cancellationToken).ConfigureAwait(false);
            }

            var summary = Build(snapshot);
            Remember(snapshot);
            return summary;
        }
        finally
        {
            _oneAtATime.Release();
        }
    }

    private async Task<Snapshot> SnapshotAsync(CancellationToken cancellationToken)
    {
        var containers = await _runtime.ListContainerStatsAsync(null, cancellationToken).ConfigureAwait(false);
        var now = _time.GetUtcNow().UtcDateTime;
        var samples = new Dictionary<string, Sample>(StringComparer.Ordinal);
        var procStat = _files.Read("/proc/stat");
        if (HostUsage.ParseCpuNanoSeconds(procStat) is { } nodeCpu)
        {
            samples[NodeKey] = new Sample(now, nodeCpu, null);
        }

        var owned = new List<CriContainerStats>();
        foreach (var container in containers)
        {
            if (container.Attributes is not { } attributes || !attributes.Labels.ContainsKey(CriLabels.PodUid) || attributes.Id.Length == 0)
            {
                continue; // Not a container of this kubelet's pods.
            }

            owned.Add(container);
            var time = container.Cpu is { Timestamp: > 0 } cpu ? FromUnixNanoseconds(cpu.Timestamp) : now;
            var nanoCores = container.Cpu?.UsageNanoCores?.Value is > 0 and var rate ? rate : (ulong?)null;
            samples[attributes.Id] = new Sample(time, container.Cpu?.UsageCoreNanoSeconds?.Value ?? 0, nanoCores);
        }

        return new Snapshot(now, samples, owned, HostUsage.ParseMemory(_files.Read("/proc/meminfo")), HostUsage.ParseBootTime(procStat));
    }

    private StatsSummary Build(Snapshot snapshot)
    {
        var node = new NodeStats
        {
            NodeName = _nodeName,
            StartTime = snapshot.BootTime,
            Cpu = snapshot.Samples.TryGetValue(NodeKey, out var nodeSample) ? Cpu(NodeKey, nodeSample) : null,
            Memory = snapshot.Memory is { } memory
                ? new MemoryStats { Time = snapshot.Time, UsageBytes = memory.UsageBytes, WorkingSetBytes = memory.WorkingSetBytes, AvailableBytes = memory.AvailableBytes }
                : null,
        };

        var pods = new List<PodStats>();
        foreach (var pod in snapshot.Containers.GroupBy(c => c.Attributes.Labels[CriLabels.PodUid], StringComparer.Ordinal))
        {
            var labels = pod.First().Attributes.Labels;
            var containers = pod
                .Select(c => new ContainerStats
                {
                    Name = c.Attributes.Labels.TryGetValue(CriLabels.ContainerName, out var name) ? name : c.Attributes.Metadata?.Name ?? c.Attributes.Id,
                    Cpu = Cpu(c.Attributes.Id, snapshot.Samples[c.Attributes.Id]),
                    Memory = Memory(c, snapshot.Time),
                })
                .OrderBy(c => c.Name, StringComparer.Ordinal)
                .ToList();
            pods.Add(new PodStats
            {
                PodRef = new PodReference(labels.GetValueOrDefault(CriLabels.PodName, string.Empty), labels.GetValueOrDefault(CriLabels.PodNamespace, string.Empty), pod.Key),
                Containers = containers,
                Cpu = SumCpu(containers, snapshot.Time),
                Memory = SumMemory(containers, snapshot.Time),
            });
        }

        return new StatsSummary { Node = node, Pods = [.. pods.OrderBy(p => p.PodRef.Namespace, StringComparer.Ordinal).ThenBy(p => p.PodRef.Name, StringComparer.Ordinal)] };
    }

    private CpuStats Cpu(string key, Sample sample) => new()
    {
        Time = sample.Time,
        UsageCoreNanoSeconds = sample.CoreNanoSeconds,
        UsageNanoCores = sample.RuntimeNanoCores ?? Rate(_previous, key, sample),
    };

    private static MemoryStats? Memory(CriContainerStats container, DateTime now)
    {
        if (container.Memory is not { } memory)
        {
            return null;
        }

        return new MemoryStats
        {
            Time = memory.Timestamp > 0 ? FromUnixNanoseconds(memory.Timestamp) : now,
            WorkingSetBytes = memory.WorkingSetBytes?.Value,
            UsageBytes = memory.UsageBytes?.Value,
            AvailableBytes = memory.AvailableBytes?.Value,
            RssBytes = memory.RssBytes?.Value,
        };
    }

    // A pod's CPU and memory are its containers' sums; a part missing in any container leaves the sum out.
    private static CpuStats SumCpu(List<ContainerStats> containers, DateTime now) => new()
    {
        Time = containers.Select(c => c.Cpu?.Time).Max() ?? now,
        UsageNanoCores = containers.All(c => c.Cpu?.UsageNanoCores is not null) ? containers.Aggregate(0UL, (sum, c) => sum + c.Cpu!.UsageNanoCores!.Value) : null,
        UsageCoreNanoSeconds = containers.All(c => c.Cpu?.UsageCoreNanoSeconds is not null) ? containers.Aggregate(0UL, (sum, c) => sum + c.Cpu!.UsageCoreNanoSeconds!.Value) : null,
    };

    private static MemoryStats SumMemory(List<ContainerStats> containers, DateTime now) => new()
    {
        Time = containers.Select(c => c.Memory?.Time).Max() ?? now,
        WorkingSetBytes = containers.All(c => c.Memory?.WorkingSetBytes is not null) ? containers.Aggregate(0UL, (sum, c) => sum + c.Memory!.WorkingSetBytes!.Value) : null,
        UsageBytes = containers.All(c => c.Memory?.UsageBytes is not null) ? containers.Aggregate(0UL, (sum, c) => sum + c.Memory!.UsageBytes!.Value) : null,
    };

    private static bool HasEarlier(Dictionary<string, Sample> previous, string key, Sample sample) =>
        previous.TryGetValue(key, out var earlier) && earlier.Time < sample.Time && earlier.CoreNanoSeconds <= sample.CoreNanoSeconds;

    // Nanocores over the window between two samples: core-nanoseconds used per second of wall time.
    private static ulong? Rate(Dictionary<string, Sample> previous, string key, Sample sample)
    {
        if (!HasEarlier(previous, key, sample))
        {
            return null;
        }

        var earlier = previous[key];
        var elapsedNanoseconds = (decimal)(sample.Time - earlier.Time).Ticks * 100;
        return (ulong)decimal.Round((sample.CoreNanoSeconds - earlier.CoreNanoSeconds) * 1_000_000_000m / elapsedNanoseconds);
    }

    // Keeps only the latest sample of what still exists, so removed containers are forgotten.
    private void Remember(Snapshot snapshot) => _previous = new Dictionary<string, Sample>(snapshot.Samples, StringComparer.Ordinal);

    private static DateTime FromUnixNanoseconds(long nanoseconds) => DateTime.UnixEpoch.AddTicks(nanoseconds / 100);

    private sealed record Sample(DateTime Time, ulong CoreNanoSeconds, ulong? RuntimeNanoCores);

    private sealed record Snapshot(DateTime Time, Dictionary<string, Sample> Samples, List<CriContainerStats> Containers, HostMemory? Memory, DateTime? BootTime);
}
