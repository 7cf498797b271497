using Cetus.Client.Informers;
using Cetus.Scheduler.Cache;
using Cetus.Scheduler.Config;
using Cetus.Scheduler.Framework;
using Cetus.Scheduler.Queue;
using k8s.Models;
using Xunit;

namespace Cetus.Scheduler.Tests.Framework;

/// <summary>Permit's Wait (upstream RunPermitPlugins / WaitOnPermit / waitingPodsMap) through the whole loop, on a manual clock.</summary>
public sealed class PermitTests
{
    private readonly ManualTime _time = new();
    private readonly FakeSchedulerClient _client = new();
    private readonly FakeEvents _events = new();
    private readonly Dictionary<string, V1Pod> _pods = [];
    private readonly WaitingPods _waiting;
    private readonly Gate _gateA = new("GateA");
    private readonly Gate _gateB = new("GateB");
    private readonly Scheduler _scheduler;

    public PermitTests()
    {
        _waiting = new WaitingPods(_time);
        var registry = PluginRegistry.InTree().Register(_gateA.Name, _ => _gateA).Register(_gateB.Name, _ => _gateB);
        var configuration = new SchedulerConfiguration
        {
            Profiles =
            [
                new ProfileConfiguration
                {
                    Plugins = new PluginsConfiguration
                    {
                        Reserve = new PluginSet { Enabled = [new PluginEntry { Name = _gateA.Name }] },
                        Permit = new PluginSet { Enabled = [new PluginEntry { Name = _gateA.Name }, new PluginEntry { Name = _gateB.Name }] },
                    },
                },
            ],
        };
        var profiles = ProfileBuilder.Build(configuration, registry, new PluginContext(_client, WaitingPods: _waiting));
        var queue = new SchedulingQueue(profiles[0].QueueSort.Less, _ => profiles[0].PreEnqueue, new Dictionary<string, IReadOnlyList<ClusterEvent>>(), _time);
        _scheduler = new Scheduler(profiles, new SchedulerCache(), queue, _client, _events, key => _pods.GetValueOrDefault(key), _time, random: new Random(1));
        _scheduler.OnNodeAdd(Build.Node("n", cpu: "4"));
    }

    [Fact]
    public async Task Wait_ParksThePodAssumed_UntilAllowedThroughTheHandle_ThenBinds()
    {
        _gateA.Answer = (new Status(Code.Wait), TimeSpan.FromSeconds(10));
        await StartAsync(Build.Pod("p", cpu: "3"));

        var waiting = Assert.Single(_waiting.All);
        Assert.Equal(("p", "n"), (waiting.Pod.Metadata.Name, waiting.NodeName));
        Assert.Equal(["GateA"], waiting.PendingPlugins);
        Assert.True(_scheduler.Cache.IsAssumed("default/p"));
        Assert.Empty(_client.Bindings);

        // While it waits, its requests count: another pod does not fit beside it.
        await StartAsync(Build.Pod("q", cpu: "3"));
        Assert.Contains(_events.Recorded, e => e.StartsWith("Warning FailedScheduling 0/1 nodes are available: 1 Insufficient cpu.", StringComparison.Ordinal));

        _waiting.Get("uid-p")!.Allow("GateA");
        await _scheduler.WaitForBindingsAsync().WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal([("p", "n")], _client.Bindings);
        Assert.Empty(_waiting.All);
        Assert.Contains("Normal Scheduled Successfully assigned default/p to n", _events.Recorded);
    }

    [Fact]
    public async Task Reject_ByAnotherPlugin_UnreservesForgetsAndRequeues()
    {
        _gateA.Answer = (new Status(Code.Wait), TimeSpan.FromSeconds(10));
        await StartAsync(Build.Pod("p", cpu: "3"));

        _waiting.Get("uid-p")!.Reject("GateB", "the gang is incomplete");
        await _scheduler.WaitForBindingsAsync().WaitAsync(TimeSpan.FromSeconds(10));

        AssertRejected("0/1 nodes are available: 1 the gang is incomplete.");
    }

    [Theory]
    [InlineData(10, 10, "10s")]
    [InlineData(90, 90, "1m30s")]
    [InlineData(3600, 900, "15m0s")]
    public async Task Timeout_RejectsWithUpstreamsMessage_AndIsCutTo15Minutes(int askedSeconds, int firesAfterSeconds, string shown)
    {
        _gateA.Answer = (new Status(Code.Wait), TimeSpan.FromSeconds(askedSeconds));
        await StartAsync(Build.Pod("p", cpu: "3"));

        _time.Advance(TimeSpan.FromSeconds(firesAfterSeconds - 1));
        Assert.Single(_waiting.All);
        _time.Advance(TimeSpan.FromSeconds(1));
        await _scheduler.WaitForBindingsAsync().WaitAsync(TimeSpan.FromSeconds(10));

        AssertRejected($"0/1 nodes are available: 1 rejected due to timeout after waiting {shown} at plugin GateA.");
    }

    [Fact]
    public async Task SeveralPlugins_EachWaits_ThePodBindsOnlyWhenAllAllowed()
    {
        _gateA.Answer = (new Status(Code.Wait), TimeSpan.FromSeconds(10));
        _gateB.Answer = (new Status(Code.Wait), TimeSpan.FromSeconds(30));
        await StartAsync(Build.Pod("p", cpu: "3"));
        var waiting = _waiting.Get("uid-p")!;
        Assert.Equal(["GateA", "GateB"], waiting.PendingPlugins.Order());

        // GateA allows: its timer stops (passing its timeout rejects nothing), GateB still holds the pod.
        waiting.Allow("GateA");
        _time.Advance(TimeSpan.FromSeconds(20));
        Assert.Equal(["GateB"], waiting.PendingPlugins);
        Assert.Empty(_client.Bindings);
        Assert.Equal(1, _time.ArmedTimers);

        waiting.Allow("GateB");
        await _scheduler.WaitForBindingsAsync().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal([("p", "n")], _client.Bindings);
        Assert.Equal(0, _time.ArmedTimers);
    }

    [Fact]
    public async Task SeveralPlugins_ARejectionWinsOverAWait()
    {
        _gateA.Answer = (new Status(Code.Wait), TimeSpan.FromSeconds(10));
        _gateB.Answer = (Status.Unschedulable("not now"), TimeSpan.Zero);
        await StartAsync(Build.Pod("p", cpu: "3"));
        await _scheduler.WaitForBindingsAsync().WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Empty(_waiting.All);
        AssertRejected("0/1 nodes are available: 1 not now.");
    }

    [Fact]
    public async Task PodDeletedWhileWaiting_IsRejectedAndForgotten()
    {
        _gateA.Answer = (new Status(Code.Wait), TimeSpan.FromSeconds(10));
        var pod = Build.Pod("p", cpu: "3");
        await StartAsync(pod);

        _pods.Remove("default/p");
        _scheduler.OnPodDelete(new DeletedObject<V1Pod>(pod, false));
        await _scheduler.WaitForBindingsAsync().WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Empty(_client.Bindings);
        Assert.False(_scheduler.Cache.IsAssumed("default/p"));
        Assert.Null(_scheduler.Queue.WhereIs("default/p"));
    }

    private void AssertRejected(string message)
    {
        Assert.Empty(_client.Bindings);
        Assert.False(_scheduler.Cache.IsAssumed("default/p"));
        Assert.Equal(["default/p"], _gateA.Unreserved);
        Assert.Contains("Warning FailedScheduling " + message, _events.Recorded);
        Assert.NotNull(_scheduler.Queue.WhereIs("default/p"));
    }

    private async Task StartAsync(V1Pod pod)
    {
        _pods[Cetus.Client.ObjectKeys.Of(pod)] = pod;
        _scheduler.OnPodAdd(pod);
        var info = await _scheduler.Queue.PopAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
        _scheduler.ScheduleOne(info!, CancellationToken.None);
    }

    /// <summary>A Permit plugin that answers what the test says (and records Unreserve).</summary>
    private sealed class Gate(string name) : IPermitPlugin, IReservePlugin
    {
        public string Name => name;

        public (Status? Status, TimeSpan Timeout) Answer { get; set; }

        public List<string> Unreserved { get; } = [];

        public (Status? Status, TimeSpan Timeout) Permit(CycleState state, V1Pod pod, string nodeName) => Answer;

        public Status? Reserve(CycleState state, V1Pod pod, string nodeName) => null;

        public void Unreserve(CycleState state, V1Pod pod, string nodeName)
        {
            lock (Unreserved)
            {
                Unreserved.Add(Cetus.Client.ObjectKeys.Of(pod));
            }
        }
    }
}
