using System.Runtime.InteropServices;
using Cetus.Cri.V1;
using Cetus.Kubelet.Node;
using k8s.Models;
using Xunit;

namespace Cetus.Kubelet.Tests.Node;

/// <summary>Node facts and conditions read from the machine: the parsers with sample files, the thresholds, the runtime's readiness.</summary>
public sealed class MachineInfoTests
{
    private const string MemInfo = """
        MemTotal:       16318496 kB
        MemFree:          812340 kB
        MemAvailable:    9402112 kB
        Buffers:          204812 kB
        HugePages_Total:       0
        Hugepagesize:       2048 kB

        """;

    private const string OsRelease = """
        PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
        NAME="Debian GNU/Linux"
        VERSION_ID="12"
        # a comment
        ID=debian
        """;

    private readonly ManualTime _time = new();
    private readonly FakeKubeletClient _client = new();

    [Fact]
    public void MemInfo_IsParsedInKiB_IncludingCountsWithoutUnit()
    {
        var values = MachineInfo.ParseMemInfo(MemInfo);
        Assert.Equal((16318496L, 9402112L, 0L), (values["MemTotal"], values["MemAvailable"], values["HugePages_Total"]));
        Assert.Empty(MachineInfo.ParseMemInfo("garbage\n:\nx: y"));
    }

    [Fact]
    public void OsRelease_GivesThePrettyNameUnquoted_ElseTheName()
    {
        Assert.Equal("Debian GNU/Linux 12 (bookworm)", MachineInfo.ParseOsRelease(OsRelease));
        Assert.Equal("Alpine Linux", MachineInfo.ParseOsRelease("NAME='Alpine Linux'\nID=alpine\n"));
        Assert.Null(MachineInfo.ParseOsRelease(string.Empty));
    }

    [Theory]
    [InlineData(Architecture.X64, "amd64")]
    [InlineData(Architecture.Arm64, "arm64")]
    [InlineData(Architecture.Arm, "arm")]
    public void Architecture_HasItsKubernetesName(Architecture architecture, string expected) =>
        Assert.Equal(expected, MachineInfo.Architecture(architecture));

    [Fact]
    public void Capacity_IsCpuMemoryInKiEphemeralStorageAndPods()
    {
        var facts = new MachineFacts(8, 16318496, 107374182400, "6.1.0", "Debian", "m", "b", "amd64");
        var capacity = facts.Capacity();
        Assert.Equal(("8", "16318496Ki", "110"), (capacity["cpu"].ToString(), capacity["memory"].ToString(), capacity["pods"].ToString()));
        Assert.Equal(107374182400m, capacity["ephemeral-storage"].ToDecimal());
    }

    [Fact]
    public void Read_OnThisMachine_GivesItsProcessorsMemoryDiskAndIds()
    {
        using var dir = new TempDir();
        var facts = MachineInfo.Read(dir.Path);
        Assert.Equal(Environment.ProcessorCount, facts.Cpus);
        Assert.True(facts.MemoryKi > 0 && facts.EphemeralStorageBytes > 0, facts.ToString());
        Assert.Equal(File.ReadAllText("/proc/sys/kernel/osrelease").Trim(), facts.KernelVersion);
        Assert.Equal(File.ReadAllText("/proc/sys/kernel/random/boot_id").Trim(), facts.BootId);
        Assert.Contains(facts.Architecture, new[] { "amd64", "arm64" });
        var signals = MachineInfo.ReadSignals(dir.Path);
        Assert.True(signals.MemoryAvailableBytes > 0 && signals.NodeFsAvailableBytes > 0 && signals.PidsInUse > 0, signals.ToString());
    }

    [Fact]
    public void Thresholds_AreKubernetesDefaults_MemoryUnder100Mi_DiskUnder10Percent_NoPidByDefault()
    {
        var fine = new ResourceSignals(8L << 30, 200L << 20, 100L << 30, 20L << 30, 4194304, 4194000);
        Assert.Equal((false, false, false), EvictionThresholds.Default.Evaluate(fine));
        Assert.Equal((true, false, false), EvictionThresholds.Default.Evaluate(fine with { MemoryAvailableBytes = 99L << 20 }));
        Assert.Equal((false, true, false), EvictionThresholds.Default.Evaluate(fine with { NodeFsAvailableBytes = 9L << 30 }));
        Assert.Equal((false, false, true), (EvictionThresholds.Default with { PidAvailablePercent = 1 }).Evaluate(fine));
        Assert.Equal((false, false, false), EvictionThresholds.Default.Evaluate(new ResourceSignals(null, null, null, null, null, null)));
    }

    [Fact]
    public void RuntimeProblems_SayWhichCriConditionIsFalse_AsTheKubelet()
    {
        var status = new RuntimeStatus
        {
            Conditions =
            {
                new RuntimeCondition { Type = "RuntimeReady", Status = true },
                new RuntimeCondition { Type = "NetworkReady", Status = false, Reason = "NetworkPluginNotReady", Message = "cni plugin not initialized" },
            },
        };
        Assert.Equal("container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:cni plugin not initialized", NodeHealth.RuntimeProblems(status));
        status.Conditions[1].Status = true;
        Assert.Null(NodeHealth.RuntimeProblems(status));
        status.Conditions[0].Status = false;
        Assert.StartsWith("container runtime not ready: RuntimeReady=false", NodeHealth.RuntimeProblems(status), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reporter_WithAHealthProbe_WritesReadyFalseWithTheMessage_AndPressures()
    {
        var health = new NodeHealth("container runtime network not ready: NetworkReady=false reason:X message:Y", MemoryPressure: true);
        var config = new NodeConfig { Name = "n1", Capacity = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("1") }, InternalIP = "10.0.0.5", BootId = "boot-1", Hostname = "host-1" };
        var reporter = new NodeStatusReporter(config, "fake://0.1.0", _client, time: _time, health: _ => Task.FromResult(health));
        await reporter.RegisterAsync(CancellationToken.None);

        var status = _client.Nodes["n1"].Status;
        var ready = status.Conditions.Single(c => c.Type == "Ready");
        Assert.Equal(("False", "KubeletNotReady", health.NotReadyMessage), (ready.Status, ready.Reason, ready.Message));
        var memory = status.Conditions.Single(c => c.Type == "MemoryPressure");
        Assert.Equal(("True", "KubeletHasInsufficientMemory"), (memory.Status, memory.Reason));
        Assert.Equal("False", status.Conditions.Single(c => c.Type == "DiskPressure").Status);
        Assert.Equal(("boot-1", "host-1"), (status.NodeInfo.BootID, status.Addresses.Single(a => a.Type == "Hostname").Address));

        health = NodeHealth.Healthy;
        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.True(await reporter.ReportAsync(force: false, CancellationToken.None));
        Assert.Equal(("True", "False"), (_client.Nodes["n1"].Status.Conditions.Single(c => c.Type == "Ready").Status, _client.Nodes["n1"].Status.Conditions.Single(c => c.Type == "MemoryPressure").Status));
    }

    private sealed class TempDir : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("cetus-machine-").FullName;

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
