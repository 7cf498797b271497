using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Cetus.Client.Informers;
using Cetus.Cri.Fake;
using Cetus.Cri.V1;
using Cetus.Kubelet.Node;
using Cetus.Kubelet.Objects;
using Cetus.Kubelet.Tests.Objects;
using Cetus.Kubelet.Pods;
using Cetus.Kubelet.Status;
using Grpc.Core;
using k8s;
using k8s.Models;
using Xunit;
using static Cetus.Kubelet.Tests.Builders;

namespace Cetus.Kubelet.Tests;

/// <summary>The single-node kubelet host: its pod informer, the PLEG relist, adoption after a restart, orphan removal.</summary>
public sealed class KubeletHostTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private readonly ManualTime _time = new();
    private readonly FakeKubeletClient _client = new();
    private readonly FakeRuntime _runtime;
    private readonly CancellationTokenSource _stopping = new();
    private KubeletHost? _host;

    public KubeletHostTests()
    {
        _runtime = new FakeRuntime(new FakeRuntimeOptions { Time = _time, Images = ["nginx:1.27"] });
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _stopping.CancelAsync();
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }

        _stopping.Dispose();
    }

    [Fact]
    public async Task Relist_NoticesAnExitedContainer_AndSyncsItsPodAgain()
    {
        _client.Add(Pod("web"));
        var host = await StartAsync(_client.Pod("web"));
        await host.RelistAsync(_stopping.Token);
        await Idle(host);
        var first = Assert.Single(await _runtime.ListContainersAsync(null, CancellationToken.None));
        Assert.Equal(ContainerState.ContainerRunning, first.State);

        _runtime.ExitContainer(first.Id, 1);
        // Nothing else tells the kubelet: no API change, no timer. The relist does.
        await host.RelistAsync(_stopping.Token);
        await Idle(host);

        var containers = await _runtime.ListContainersAsync(null, CancellationToken.None);
        Assert.Equal([(0u, ContainerState.ContainerExited), (1u, ContainerState.ContainerRunning)], containers.OrderBy(c => c.Metadata.Attempt).Select(c => (c.Metadata.Attempt, c.State)));
        Assert.Equal(1, _client.Pod("web").Status.ContainerStatuses.Single().RestartCount);
    }

    [Fact]
    public async Task Relist_ReportsOnlyPodsWhoseSandboxesOrContainersChanged()
    {
        var pleg = new PodLifecycleEventGenerator(_runtime);
        var sync = new PodSync(new PodRuntimeManager(_runtime, FakeRuntime.RuntimeName), new PodStatusManager(_client), _client, "192.168.0.7", _time);
        _client.Add(Pod("a"));
        _client.Add(Pod("b"));
        await sync.SyncAsync(_client.Pod("a"), CancellationToken.None);
        await sync.SyncAsync(_client.Pod("b"), CancellationToken.None);

        Assert.Equal(["uid-a", "uid-b"], (await pleg.RelistAsync(CancellationToken.None)).Select(p => p.Uid).Order(StringComparer.Ordinal));
        Assert.Empty(await pleg.RelistAsync(CancellationToken.None));

        var b = (await _runtime.ListContainersAsync(null, CancellationToken.None)).Single(c => c.Labels[CriLabels.PodUid] == "uid-b");
        _runtime.ExitContainer(b.Id, 0);
        var changed = Assert.Single(await pleg.RelistAsync(CancellationToken.None));
        Assert.Equal(("uid-b", "default", "b"), (changed.Uid, changed.Namespace, changed.Name));

        await new PodRuntimeManager(_runtime, FakeRuntime.RuntimeName).RemoveAsync("uid-a", CancellationToken.None);
        var gone = Assert.Single(await pleg.RelistAsync(CancellationToken.None));
        Assert.Equal("uid-a", gone.Uid);
        Assert.Empty(gone.States);
    }

    [Fact]
    public async Task AfterARestart_RunningPodsAreAdopted_NotKilledOrRecreated()
    {
        // The previous kubelet ran the pod.
        _client.Add(Pod("web"));
        var previous = new PodSync(new PodRuntimeManager(_runtime, FakeRuntime.RuntimeName), new PodStatusManager(_client), _client, "192.168.0.7", _time);
        await previous.SyncAsync(_client.Pod("web"), CancellationToken.None);
        var running = Assert.Single(await _runtime.ListContainersAsync(null, CancellationToken.None));
        _runtime.RecordCalls();

        var host = await StartAsync(_client.Pod("web"));
        await host.RelistAsync(_stopping.Token);
        await Idle(host);

        Assert.DoesNotContain(_runtime.Calls, c => c is "RunPodSandbox" or "StopPodSandbox" or "RemovePodSandbox" or "CreateContainer" or "StopContainer" or "RemoveContainer");
        var still = Assert.Single(await _runtime.ListContainersAsync(null, CancellationToken.None));
        Assert.Equal((running.Id, ContainerState.ContainerRunning), (still.Id, still.State));
        Assert.Equal("Running", _client.Pod("web").Status.Phase);
    }

    [Fact]
    public async Task OrphanedSandboxes_AreRemoved_OnlyOnceThePodsAreKnown()
    {
        // A pod deleted while the kubelet was down: its sandbox and container are still in the runtime.
        _client.Add(Pod("ghost"));
        var previous = new PodSync(new PodRuntimeManager(_runtime, FakeRuntime.RuntimeName), new PodStatusManager(_client), _client, "192.168.0.7", _time);
        await previous.SyncAsync(_client.Pod("ghost"), CancellationToken.None);
        _client.Add(Pod("kept"));
        await previous.SyncAsync(_client.Pod("kept"), CancellationToken.None);
        Assert.Equal(2, _runtime.SandboxCount);

        var listWatch = new FakePodListWatch([_client.Pod("kept")]);
        _host = new KubeletHost(NodeConfig(), _runtime, _client, listWatch, time: _time);
        // Before the informer has listed the node's pods, nothing is an orphan.
        await _host.RelistAsync(_stopping.Token);
        Assert.Equal(2, _runtime.SandboxCount);

        await _host.StartAsync(_stopping.Token);
        await _host.WaitForPodsAsync(_stopping.Token).WaitAsync(Patience);
        await _host.RelistAsync(_stopping.Token);
        await Idle(_host);

        var sandbox = Assert.Single(await _runtime.ListPodSandboxAsync(null, CancellationToken.None));
        Assert.Equal("uid-kept", sandbox.Labels[CriLabels.PodUid]);
        Assert.Single(await _runtime.ListContainersAsync(null, CancellationToken.None));
    }

    [Fact]
    public async Task PodsFromTheWatch_AreSynced_AndADeletedPodLeavesTheRuntime()
    {
        var listWatch = new FakePodListWatch([]);
        _host = new KubeletHost(NodeConfig(), _runtime, _client, listWatch, time: _time);
        await _host.StartAsync(_stopping.Token);
        await _host.WaitForPodsAsync(_stopping.Token).WaitAsync(Patience);
        Assert.Equal("True", _client.Nodes["node-1"].Status.Conditions.Single(c => c.Type == "Ready").Status);

        _client.Add(Pod("web"));
        var other = Pod("elsewhere");
        other.Spec.NodeName = "node-2";
        await listWatch.Events.Writer.WriteAsync((WatchEventType.Added, other));
        await listWatch.Events.Writer.WriteAsync((WatchEventType.Added, _client.Pod("web")));
        await WaitUntil(() => _runtime.ContainerCount == 1);
        await Idle(_host);
        Assert.Equal(1, _runtime.SandboxCount);

        await listWatch.Events.Writer.WriteAsync((WatchEventType.Deleted, _client.Pod("web")));
        await WaitUntil(() => _runtime.SandboxCount == 0);
    }

    [Fact]
    public async Task ConfigMapChange_RewritesTheMountedFile_AtOnce_FromItsWatch_WithoutAGet()
    {
        var root = Directory.CreateTempSubdirectory("cetus-kubelet-").FullName;
        try
        {
            var configMaps = new FakeObjects<V1ConfigMap>();
            configMaps.Put(WebConfig("v1", "1"));
            var pod = Pod("web");
            pod.Spec.Volumes = [new V1Volume { Name = "content", ConfigMap = new V1ConfigMapVolumeSource { Name = "web-config" } }];
            _client.Add(pod);
            var pods = new FakePodListWatch([_client.Pod("web")]);
            _host = new KubeletHost(NodeConfig() with { RootDirectory = root }, _runtime, _client, pods, time: _time, objects: new PodObjectListWatches(configMaps.ListWatch, new FakeObjects<V1Secret>().ListWatch));
            await _host.StartAsync(_stopping.Token);
            await _host.WaitForPodsAsync(_stopping.Token).WaitAsync(Patience);
            var file = Path.Combine(root, "pods", "uid-web", "volumes", "kubernetes.io~configmap", "content", "index.html");
            await WaitUntil(() => File.Exists(file) && _runtime.ContainerCount == 1);
            await Idle(_host);
            Assert.Equal("v1", await File.ReadAllTextAsync(file));
            Assert.True(configMaps.Watching("default/web-config"));

            // The clock does not move: no periodic resync, only the watch's event can bring the new data.
            configMaps.Send(WatchEventType.Modified, WebConfig("v2", "2"));
            await WaitUntil(() => File.ReadAllText(file) == "v2");
            Assert.DoesNotContain(_client.Actions, a => a.StartsWith("get configmap", StringComparison.Ordinal));

            // The pod goes: so does the watch.
            await pods.Events.Writer.WriteAsync((WatchEventType.Deleted, _client.Pod("web")));
            await WaitUntil(() => !configMaps.Watching("default/web-config") && _runtime.SandboxCount == 0);
        }
        finally
        {
            // The host first: it may still be tearing down the pod's volumes under the directory.
            await _stopping.CancelAsync();
            if (_host is not null)
            {
                await _host.DisposeAsync();
                _host = null;
            }

            Directory.Delete(root, recursive: true);
        }

        static V1ConfigMap WebConfig(string content, string resourceVersion) => new()
        {
            Metadata = new V1ObjectMeta { Name = "web-config", NamespaceProperty = "default", ResourceVersion = resourceVersion },
            Data = new Dictionary<string, string> { ["index.html"] = content },
        };
    }

    [Fact]
    public async Task HealthProbe_SaysTheRuntimeIsDown_WhenStatusFails()
    {
        var probe = new NodeHealthProbe(_runtime, () => new ResourceSignals(null, 50L << 20, null, null, null, null));
        var healthy = await probe.CheckAsync(CancellationToken.None);
        Assert.Equal((true, true), (healthy.Ready, healthy.MemoryPressure));

        _runtime.FailNext("Status", StatusCode.Unavailable, "connection refused");
        var down = await probe.CheckAsync(CancellationToken.None);
        Assert.False(down.Ready);
        Assert.StartsWith("container runtime is down", down.NotReadyMessage, StringComparison.Ordinal);
    }

    private static NodeConfig NodeConfig() => new()
    {
        Name = "node-1",
        Capacity = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("2"), ["memory"] = new("4Gi"), ["pods"] = new("110") },
        InternalIP = "192.168.0.7",
    };

    private static async Task Idle(KubeletHost host) => await host.Agent.Workers.WhenIdleAsync(CancellationToken.None).WaitAsync(Patience);

    private static async Task WaitUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met in time");
            await Task.Delay(20);
        }
    }

    [Fact]
    public async Task ImageGC_UsesTheHostsPolicy_FileSystem_AndSandboxImage_AndCanBeTurnedOff()
    {
        _runtime.AddImage("localhost/cetus/pause:3.10", 8 * 1024 * 1024);
        _runtime.AddImage("unused:1", 8 * 1024 * 1024);
        _runtime.ImageFsCapacity = 18 * 1024 * 1024; // 17 MiB used: 94 %
        var options = new KubeletHostOptions { ImageGC = new() { MinAge = TimeSpan.FromMinutes(1) }, SandboxImage = "localhost/cetus/pause:3.10", FileSystemSpace = _runtime.ImageFsSpace };
        _host = new KubeletHost(NodeConfig(), _runtime, _client, new FakePodListWatch([]), options, time: _time);
        Assert.False(await _host.ImageGC!.RunOnceAsync(CancellationToken.None)); // all just detected

        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.True(await _host.ImageGC.RunOnceAsync(CancellationToken.None));

        Assert.Equal(["localhost/cetus/pause:3.10"], (await _runtime.ListImagesAsync(null, CancellationToken.None)).Select(i => i.RepoTags[0]).Order(StringComparer.Ordinal));
        await using var off = new KubeletHost(NodeConfig(), _runtime, _client, new FakePodListWatch([]), new KubeletHostOptions { ImageGC = null }, time: _time);
        Assert.Null(off.ImageGC);
    }

    private async Task<KubeletHost> StartAsync(params V1Pod[] pods)
    {
        _host = new KubeletHost(NodeConfig(), _runtime, _client, new FakePodListWatch(pods), time: _time);
        await _host.StartAsync(_stopping.Token);
        await _host.WaitForPodsAsync(_stopping.Token).WaitAsync(Patience);
        await Idle(_host);
        return _host;
    }

    /// <summary>Lists the given pods, then streams what the test writes to <see cref="Events"/>.</summary>
    private sealed class FakePodListWatch(IReadOnlyList<V1Pod> pods) : IListWatch<V1Pod>
    {
        public Channel<(WatchEventType, V1Pod)> Events { get; } = Channel.CreateUnbounded<(WatchEventType, V1Pod)>();

        public Task<(IReadOnlyList<V1Pod> Items, string ResourceVersion)> ListAsync(CancellationToken cancellationToken) =>
            Task.FromResult<(IReadOnlyList<V1Pod>, string)>((pods, "1"));

        public async IAsyncEnumerable<(WatchEventType Type, V1Pod? Object)> WatchAsync(string resourceVersion, TimeSpan timeout, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            while (await Events.Reader.WaitToReadAsync(cancellationToken))
            {
                while (Events.Reader.TryRead(out var item))
                {
                    yield return item;
                }
            }
        }
    }
}
