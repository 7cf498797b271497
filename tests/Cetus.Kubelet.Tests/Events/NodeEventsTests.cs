using Cetus.Cri.Fake;
using Cetus.Kubelet.Node;
using k8s.Models;
using Xunit;

namespace Cetus.Kubelet.Tests.Events;

/// <summary>The kubelet's node events: Starting, the pressure conditions at registration, then condition transitions.</summary>
public sealed class NodeEventsTests
{
    private readonly ManualTime _time = new();
    private readonly FakeKubeletClient _client = new();
    private readonly FakeEventSink _events = new();
    private NodeHealth _health = new("container runtime network not ready: NetworkReady=false");

    private NodeAgent Agent() => new(
        new NodeConfig
        {
            Name = "node-1",
            Capacity = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("2"), ["memory"] = new("4Gi"), ["pods"] = new("110") },
            InternalIP = "192.168.0.7",
        },
        new FakeRuntime(new FakeRuntimeOptions { Time = _time }),
        _client,
        _time,
        events: _events)
    {
        Health = _ => Task.FromResult(_health),
    };

    private List<(string Type, string Reason, string Message)> Recorded => _events.About(null);

    [Fact]
    public async Task Start_RecordsStartingAndThePressureConditions_ThenReadyAndPressureTransitions()
    {
        var agent = Agent();
        await agent.StartAsync(CancellationToken.None);

        Assert.Equal(
            [
                ("Normal", "Starting", "Starting kubelet."),
                ("Normal", "NodeHasSufficientMemory", "Node node-1 status is now: NodeHasSufficientMemory"),
                ("Normal", "NodeHasNoDiskPressure", "Node node-1 status is now: NodeHasNoDiskPressure"),
                ("Normal", "NodeHasSufficientPID", "Node node-1 status is now: NodeHasSufficientPID"),
            ],
            Recorded);
        Assert.All(_events.Events, e => Assert.Equal(("Node", "node-1", "node-1", null), (e.Involved.Kind, e.Involved.Name, e.Involved.Uid, e.Involved.NamespaceProperty)));

        // Nothing changed: no event.
        await agent.Reporter!.ReportAsync(force: false, CancellationToken.None);
        Assert.Equal(4, Recorded.Count);

        _health = NodeHealth.Healthy;
        await agent.Reporter.ReportAsync(force: false, CancellationToken.None);
        Assert.Equal(("Normal", "NodeReady", "Node node-1 status is now: NodeReady"), Recorded[^1]);

        _health = new NodeHealth(null, MemoryPressure: true);
        await agent.Reporter.ReportAsync(force: false, CancellationToken.None);
        Assert.Equal(("Normal", "NodeHasInsufficientMemory", "Node node-1 status is now: NodeHasInsufficientMemory"), Recorded[^1]);

        _health = new NodeHealth("PLEG is not healthy");
        await agent.Reporter.ReportAsync(force: false, CancellationToken.None);
        Assert.Equal(
            [
                ("Normal", "NodeHasSufficientMemory", "Node node-1 status is now: NodeHasSufficientMemory"),
                ("Normal", "NodeNotReady", "Node node-1 status is now: NodeNotReady"),
            ],
            Recorded[^2..]);
        Assert.Equal(8, Recorded.Count);
    }

    [Fact]
    public async Task Restart_RecordsTheStartEventsAgain_AndReadyWhenTheNodeWasNotReady()
    {
        await Agent().StartAsync(CancellationToken.None);
        // The node controller marked it Unknown while the kubelet was down.
        var conditions = _client.Nodes["node-1"].Status.Conditions;
        conditions.Single(c => c.Type == "Ready").Status = "Unknown";
        _health = NodeHealth.Healthy;
        var before = Recorded.Count;

        await Agent().StartAsync(CancellationToken.None);

        Assert.Equal(
            ["Starting", "NodeHasSufficientMemory", "NodeHasNoDiskPressure", "NodeHasSufficientPID", "NodeReady"],
            Recorded.Skip(before).Select(e => e.Reason));
    }
}
