using Cetus.Kubelet.Node;
using Cetus.Kubelet.Timing;
using k8s.Models;
using Xunit;

namespace Cetus.Kubelet.Tests.Node;

/// <summary>Node registration, status reports and the Lease heartbeat against a fake API server and clock.</summary>
public sealed class NodeTests
{
    private readonly ManualTime _time = new();
    private readonly FakeKubeletClient _client = new();

    private static NodeConfig Config(string name = "n1") => new()
    {
        Name = name,
        Capacity = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("4"), ["memory"] = new("16Gi"), ["pods"] = new("110") },
        Labels = new Dictionary<string, string> { ["zone"] = "a" },
        Taints = [new V1Taint { Key = "k", Value = "v", Effect = "NoSchedule" }],
        InternalIP = "10.0.0.5",
    };

    [Fact]
    public async Task Register_CreatesTheNode_WithCapacityConditionsLabelsTaintsAndNodeInfo()
    {
        var reporter = new NodeStatusReporter(Config(), "fake://0.1.0", _client, time: _time);
        await reporter.RegisterAsync(CancellationToken.None);

        var node = _client.Nodes["n1"];
        Assert.Equal("uid-n1", reporter.Uid);
        Assert.Equal(("n1", "a", "linux", "amd64"), (node.Metadata.Labels["kubernetes.io/hostname"], node.Metadata.Labels["zone"], node.Metadata.Labels["kubernetes.io/os"], node.Metadata.Labels["kubernetes.io/arch"]));
        Assert.Equal(("k", "NoSchedule"), (node.Spec.Taints[0].Key, node.Spec.Taints[0].Effect));
        Assert.Equal(("4", "16Gi", "110"), (node.Status.Allocatable["cpu"].ToString(), node.Status.Allocatable["memory"].ToString(), node.Status.Allocatable["pods"].ToString()));
        Assert.Equal([("MemoryPressure", "False"), ("DiskPressure", "False"), ("PIDPressure", "False"), ("Ready", "True")], node.Status.Conditions.Select(c => (c.Type, c.Status)));
        Assert.Equal(("fake://0.1.0", "linux"), (node.Status.NodeInfo.ContainerRuntimeVersion, node.Status.NodeInfo.OperatingSystem));
        Assert.Contains(node.Status.Addresses, a => (a.Type, a.Address) == ("InternalIP", "10.0.0.5"));
    }

    [Fact]
    public async Task Register_OfAnExistingNode_UpdatesItInsteadOfFailing()
    {
        await new NodeStatusReporter(Config(), "fake://0.1.0", _client, time: _time).RegisterAsync(CancellationToken.None);
        var again = new NodeStatusReporter(Config() with { Labels = new Dictionary<string, string> { ["zone"] = "b" } }, "fake://0.2.0", _client, time: _time);
        await again.RegisterAsync(CancellationToken.None);

        Assert.Equal("b", _client.Nodes["n1"].Metadata.Labels["zone"]);
        Assert.Equal("fake://0.2.0", _client.Nodes["n1"].Status.NodeInfo.ContainerRuntimeVersion);
        Assert.Equal("uid-n1", again.Uid);
    }

    [Fact]
    public async Task Report_WritesOnlyOnChange_OrEveryFiveMinutes()
    {
        var ready = true;
        var reporter = new NodeStatusReporter(Config(), "fake://0.1.0", _client, () => ready, _time);
        await reporter.RegisterAsync(CancellationToken.None);
        var transition = _client.Nodes["n1"].Status.Conditions.Single(c => c.Type == "Ready").LastTransitionTime;

        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.False(await reporter.ReportAsync(force: false, CancellationToken.None));

        _time.Advance(NodeStatusReporter.ReportInterval);
        Assert.True(await reporter.ReportAsync(force: false, CancellationToken.None));
        var readyCondition = _client.Nodes["n1"].Status.Conditions.Single(c => c.Type == "Ready");
        Assert.Equal(transition, readyCondition.LastTransitionTime);
        Assert.Equal(_time.GetUtcNow().UtcDateTime, readyCondition.LastHeartbeatTime);

        ready = false;
        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.True(await reporter.ReportAsync(force: false, CancellationToken.None));
        readyCondition = _client.Nodes["n1"].Status.Conditions.Single(c => c.Type == "Ready");
        Assert.Equal(("False", "KubeletNotReady", _time.GetUtcNow().UtcDateTime), (readyCondition.Status, readyCondition.Reason, readyCondition.LastTransitionTime));
    }

    [Fact]
    public async Task Lease_IsCreatedOwnedByTheNode_ThenRenewedByUpdate()
    {
        var lease = new NodeLease("n1", () => "uid-n1", _client, _time);
        await lease.RenewAsync(CancellationToken.None);
        var created = _client.Leases["n1"];
        Assert.Equal(("n1", 40, "kube-node-lease"), (created.Spec.HolderIdentity, created.Spec.LeaseDurationSeconds, created.Metadata.NamespaceProperty));
        Assert.Equal(("Node", "uid-n1"), (created.Metadata.OwnerReferences[0].Kind, created.Metadata.OwnerReferences[0].Uid));

        _time.Advance(NodeLease.RenewInterval);
        await lease.RenewAsync(CancellationToken.None);
        Assert.Equal(_time.GetUtcNow().UtcDateTime, _client.Leases["n1"].Spec.RenewTime);
        Assert.Equal(["create lease n1", "update lease n1"], _client.Actions);
    }

    [Fact]
    public async Task Lease_WrittenBySomeoneElse_IsReadAgainAndRenewed()
    {
        var lease = new NodeLease("n1", () => "uid-n1", _client, _time);
        await lease.RenewAsync(CancellationToken.None);
        _client.Leases["n1"].Metadata.ResourceVersion = "999";

        _time.Advance(NodeLease.RenewInterval);
        await lease.RenewAsync(CancellationToken.None);
        Assert.Equal(_time.GetUtcNow().UtcDateTime, _client.Leases["n1"].Spec.RenewTime);
        Assert.Equal(["create lease n1", "update lease n1", "get lease n1", "update lease n1"], _client.Actions);
    }

    [Fact]
    public async Task Lease_ThatExistsAtStart_IsAdopted()
    {
        await new NodeLease("n1", () => "uid-n1", _client, _time).RenewAsync(CancellationToken.None);
        _client.Actions.Clear();
        await new NodeLease("n1", () => "uid-n1", _client, _time).RenewAsync(CancellationToken.None);
        Assert.Equal(["create lease n1", "get lease n1", "update lease n1"], _client.Actions);
    }

    [Fact]
    public async Task SpreadTicker_RunsEveryMemberOnce_WithBoundedConcurrency()
    {
        var running = 0;
        var peak = 0;
        var seen = new List<int>();
        var ticker = new SpreadTicker<object>(TimeSpan.FromSeconds(10), async (m, ct) =>
        {
            var now = Interlocked.Increment(ref running);
            lock (seen)
            {
                peak = Math.Max(peak, now);
                seen.Add((int)m);
            }

            await Task.Yield();
            Interlocked.Decrement(ref running);
        }, maxConcurrency: 3);
        for (var i = 0; i < 250; i++)
        {
            ticker.Add(i);
        }

        await ticker.RunAllAsync(CancellationToken.None);
        Assert.Equal(Enumerable.Range(0, 250), seen.Order());
        Assert.InRange(peak, 1, 3);
        Assert.Equal(250, ticker.Count);
    }
}
