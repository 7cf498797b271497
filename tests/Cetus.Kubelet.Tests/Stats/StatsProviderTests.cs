using Cetus.Api.Stats;
using Cetus.Cri.Fake;
using Cetus.Cri.V1;
using Cetus.Kubelet.Pods;
using Cetus.Kubelet.Stats;
using Xunit;

namespace Cetus.Kubelet.Tests.Stats;

/// <summary>/proc files with fixed contents, changed by the test between samples.</summary>
internal sealed class FixedHostFiles : IHostFiles
{
    public Dictionary<string, string> Files { get; } = [];

    public string? Read(string path) => Files.GetValueOrDefault(path);

    // cpu user nice system idle iowait irq softirq steal: busy = user + nice + system + irq + softirq + steal.
    public void SetBusyJiffies(long busy) =>
        Files["/proc/stat"] = $"cpu  {busy} 0 0 99999 333 0 0 0 0 0\ncpu0 {busy} 0 0 99999 333 0 0 0 0 0\nbtime 1795000000\n";
}

public sealed class StatsProviderTests
{
    private static readonly CancellationToken None = CancellationToken.None;
    private readonly ManualTime _time = new();
    private readonly FixedHostFiles _files = new();
    private readonly FakeRuntime _runtime;
    private readonly List<TimeSpan> _waits = [];
    private Action _betweenSamples = () => { };

    public StatsProviderTests() => _runtime = new FakeRuntime(new FakeRuntimeOptions { Time = _time, Images = ["busybox:1.36"] });

    private StatsProvider Provider() => new("node-1", _runtime, _files, _time, new StatsProviderOptions { SecondSampleDelay = TimeSpan.FromSeconds(1) }, (wait, _) =>
    {
        // Stands in for the wait: the clock moves on and the usage grows, as a second later.
        _waits.Add(wait);
        _time.Advance(wait);
        _betweenSamples();
        return Task.CompletedTask;
    });

    [Fact]
    public async Task Summary_MapsContainersToPodsByLabels_UsingTheRuntimesRate()
    {
        var web = await StartAsync("default", "web", "uid-web", "app", "sidecar");
        var db = await StartAsync("data", "db", "uid-db", "postgres");
        var unlabelled = await UnlabelledContainerAsync();
        _runtime.SetContainerStats(web["app"], new FakeContainerUsage(9_000_000_000, 64 << 20, UsageNanoCores: 200_000_000));
        _runtime.SetContainerStats(web["sidecar"], new FakeContainerUsage(1_000_000_000, 16 << 20, UsageNanoCores: 5_000_000));
        _runtime.SetContainerStats(db["postgres"], new FakeContainerUsage(3_000_000_000, 1 << 30, UsageNanoCores: 750_000_000));
        _runtime.SetContainerStats(unlabelled, new FakeContainerUsage(1, 1, UsageNanoCores: 1));

        var summary = await Provider().GetSummaryAsync(None);

        Assert.Empty(_waits); // Every container had the runtime's rate, and the node has no /proc/stat here.
        Assert.Equal("node-1", summary.Node.NodeName);
        Assert.Null(summary.Node.Cpu);
        Assert.Equal(["data/db/uid-db", "default/web/uid-web"], summary.Pods.Select(p => $"{p.PodRef.Namespace}/{p.PodRef.Name}/{p.PodRef.Uid}"));
        var webStats = summary.Pods[1];
        Assert.Equal(["app:200000000:67108864", "sidecar:5000000:16777216"], webStats.Containers.Select(c => $"{c.Name}:{c.Cpu!.UsageNanoCores}:{c.Memory!.WorkingSetBytes}"));
        Assert.Equal(205_000_000UL, webStats.Cpu!.UsageNanoCores);
        Assert.Equal(10_000_000_000UL, webStats.Cpu.UsageCoreNanoSeconds);
        Assert.Equal(80UL << 20, webStats.Memory!.WorkingSetBytes);
        Assert.Equal(_time.GetUtcNow().UtcDateTime, webStats.Containers[0].Cpu!.Time);
    }

    [Fact]
    public async Task Summary_WithoutARateOrEarlierSample_SamplesTwiceABoundedIntervalApart()
    {
        var web = await StartAsync("default", "web", "uid-web", "app");
        _runtime.SetContainerStats(web["app"], new FakeContainerUsage(1_000_000_000, 1 << 20));
        _files.SetBusyJiffies(10_000);
        _betweenSamples = () =>
        {
            // Half a core for the container and a quarter of a core (25 jiffies) for the node, over the second.
            _runtime.SetContainerStats(web["app"], new FakeContainerUsage(1_500_000_000, 1 << 20));
            _files.SetBusyJiffies(10_025);
        };

        var summary = await Provider().GetSummaryAsync(None);

        Assert.Equal([TimeSpan.FromSeconds(1)], _waits);
        Assert.Equal(500_000_000UL, summary.Pods.Single().Containers.Single().Cpu!.UsageNanoCores);
        Assert.Equal(1_500_000_000UL, summary.Pods.Single().Containers.Single().Cpu!.UsageCoreNanoSeconds);
        Assert.Equal(250_000_000UL, summary.Node.Cpu!.UsageNanoCores);
        Assert.Equal(100_250_000_000UL, summary.Node.Cpu.UsageCoreNanoSeconds);
        Assert.Equal(DateTime.UnixEpoch.AddSeconds(1795000000), summary.Node.StartTime);
    }

    [Fact]
    public async Task Summary_Later_UsesThePreviousSummarysSample_WithoutWaiting_AndANewContainerWaitsOnce()
    {
        var web = await StartAsync("default", "web", "uid-web", "app");
        _runtime.SetContainerStats(web["app"], new FakeContainerUsage(1_000_000_000, 1 << 20));
        _files.SetBusyJiffies(10_000);
        var provider = Provider();
        await provider.GetSummaryAsync(None);
        Assert.Single(_waits);

        // Ten seconds later: two core-seconds more, a fifth of a core on average; the node used 4 s (400 jiffies).
        _time.Advance(TimeSpan.FromSeconds(10));
        _runtime.SetContainerStats(web["app"], new FakeContainerUsage(3_000_000_000, 1 << 20));
        _files.SetBusyJiffies(10_400);
        var later = await provider.GetSummaryAsync(None);
        Assert.Single(_waits);
        Assert.Equal(200_000_000UL, later.Pods.Single().Containers.Single().Cpu!.UsageNanoCores);
        Assert.Equal(400_000_000UL, later.Node.Cpu!.UsageNanoCores);

        // A container started since: the summary samples twice again (the known container's rate then covers that second).
        var db = await StartAsync("default", "db", "uid-db", "postgres");
        _runtime.SetContainerStats(db["postgres"], new FakeContainerUsage(0, 1 << 20));
        _betweenSamples = () => _runtime.SetContainerStats(db["postgres"], new FakeContainerUsage(100_000_000, 1 << 20));
        _time.Advance(TimeSpan.FromSeconds(5));
        var third = await provider.GetSummaryAsync(None);
        Assert.Equal(2, _waits.Count);
        Assert.Equal(100_000_000UL, third.Pods.Single(p => p.PodRef.Name == "db").Containers.Single().Cpu!.UsageNanoCores);
        Assert.Equal(0UL, third.Pods.Single(p => p.PodRef.Name == "web").Containers.Single().Cpu!.UsageNanoCores);
    }

    [Fact]
    public async Task Summary_NodeMemory_IsUsageMinusInactiveFile_AsCadvisor()
    {
        _files.Files["/proc/meminfo"] = "MemTotal:        8000000 kB\nMemFree:         2000000 kB\nMemAvailable:    5000000 kB\nInactive(file):  1000000 kB\n";

        var summary = await Provider().GetSummaryAsync(None);

        var memory = summary.Node.Memory!;
        Assert.Equal(6_000_000UL * 1024, memory.UsageBytes);
        Assert.Equal(5_000_000UL * 1024, memory.WorkingSetBytes);
        Assert.Equal(3_000_000UL * 1024, memory.AvailableBytes);
        Assert.Empty(summary.Pods);
    }

    [Fact]
    public void HostUsage_ParsesBusyJiffiesOfTheCpuLine_WithoutIdleIowaitOrGuest()
    {
        // user nice system idle iowait irq softirq steal guest guest_nice
        Assert.Equal(1_700_000_000UL, HostUsage.ParseCpuNanoSeconds("cpu  100 20 30 1000 50 5 5 10 7 3\ncpu0 100 20 30 1000 50 5 5 10 7 3\n"));
        Assert.Null(HostUsage.ParseCpuNanoSeconds("intr 1 2 3\n"));
        Assert.Null(HostUsage.ParseCpuNanoSeconds(null));
        Assert.Null(HostUsage.ParseMemory("MemTotal: 10 kB\n"));
    }

    [Fact]
    public void StatsSummary_ReadsAKubeletDocument_AndWritesUpstreamNames()
    {
        var json = """
            {"node":{"nodeName":"n1","startTime":"2026-11-01T00:00:00Z","cpu":{"time":"2026-11-27T10:00:00Z","usageNanoCores":123,"usageCoreNanoSeconds":456},
             "memory":{"time":"2026-11-27T10:00:00Z","availableBytes":1,"usageBytes":2,"workingSetBytes":3,"rssBytes":4,"pageFaults":5,"majorPageFaults":6},
             "network":{"time":"2026-11-27T10:00:00Z"},"fs":{"capacityBytes":1}},
             "pods":[{"podRef":{"name":"web","namespace":"default","uid":"u1"},"startTime":"2026-11-27T09:00:00Z",
              "containers":[{"name":"app","startTime":"2026-11-27T09:00:01Z","cpu":{"time":"2026-11-27T10:00:00Z","usageNanoCores":7},"memory":{"time":"2026-11-27T10:00:00Z","workingSetBytes":8}}],
              "cpu":{"time":"2026-11-27T10:00:00Z","usageNanoCores":7},"volume":[]}]}
            """;
        var summary = StatsSummary.FromJson(System.Text.Encoding.UTF8.GetBytes(json));
        Assert.Equal(("n1", 123UL, 3UL), (summary.Node.NodeName, summary.Node.Cpu!.UsageNanoCores!.Value, summary.Node.Memory!.WorkingSetBytes!.Value));
        var container = summary.Pods.Single().Containers.Single();
        Assert.Equal(("app", 7UL, 8UL), (container.Name, container.Cpu!.UsageNanoCores!.Value, container.Memory!.WorkingSetBytes!.Value));
        Assert.Equal(new DateTime(2026, 11, 27, 10, 0, 0, DateTimeKind.Utc), container.Cpu.Time);

        var written = System.Text.Encoding.UTF8.GetString(summary.ToJson());
        Assert.Contains("\"podRef\":{\"name\":\"web\",\"namespace\":\"default\",\"uid\":\"u1\"}", written, StringComparison.Ordinal);
        Assert.Contains("\"usageNanoCores\":7", written, StringComparison.Ordinal);
        Assert.Contains("\"time\":\"2026-11-27T10:00:00Z\"", written, StringComparison.Ordinal);
        Assert.DoesNotContain("null", written, StringComparison.Ordinal);
    }

    private async Task<Dictionary<string, string>> StartAsync(string ns, string name, string uid, params string[] containers)
    {
        var sandboxConfig = new PodSandboxConfig
        {
            Metadata = new PodSandboxMetadata { Name = name, Namespace = ns, Uid = uid },
            Labels = { [CriLabels.PodUid] = uid, [CriLabels.PodName] = name, [CriLabels.PodNamespace] = ns },
        };
        var sandbox = await _runtime.RunPodSandboxAsync(sandboxConfig, string.Empty, None);
        var ids = new Dictionary<string, string>();
        foreach (var container in containers)
        {
            var config = new ContainerConfig
            {
                Metadata = new ContainerMetadata { Name = container },
                Image = new ImageSpec { Image = "busybox:1.36" },
                Labels = { [CriLabels.PodUid] = uid, [CriLabels.PodName] = name, [CriLabels.PodNamespace] = ns, [CriLabels.ContainerName] = container },
            };
            ids[container] = await _runtime.CreateContainerAsync(sandbox, config, sandboxConfig, None);
            await _runtime.StartContainerAsync(ids[container], None);
        }

        return ids;
    }

    private async Task<string> UnlabelledContainerAsync()
    {
        var sandboxConfig = new PodSandboxConfig { Metadata = new PodSandboxMetadata { Name = "foreign", Namespace = "x", Uid = "x" } };
        var sandbox = await _runtime.RunPodSandboxAsync(sandboxConfig, string.Empty, None);
        var config = new ContainerConfig { Metadata = new ContainerMetadata { Name = "foreign" }, Image = new ImageSpec { Image = "busybox:1.36" } };
        var id = await _runtime.CreateContainerAsync(sandbox, config, sandboxConfig, None);
        await _runtime.StartContainerAsync(id, None);
        return id;
    }
}
