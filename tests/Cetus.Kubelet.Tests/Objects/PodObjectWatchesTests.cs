using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Cetus.Client.Informers;
using Cetus.Kubelet.Objects;
using Cetus.Kubelet.Pods;
using k8s;
using k8s.Models;
using Xunit;
using static Cetus.Kubelet.Tests.Builders;

namespace Cetus.Kubelet.Tests.Objects;

/// <summary>
/// The kubelet's watch-based config map and secret manager (upstream's watch_based_manager): one watch per referenced
/// object, registered and unregistered with the pods, reads from memory, changes waking the pods that use the object.
/// </summary>
public sealed class PodObjectWatchesTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);
    private readonly FakeObjects<V1ConfigMap> _configMaps = new();
    private readonly FakeObjects<V1Secret> _secrets = new();
    private readonly FakeKubeletClient _api = new();
    private readonly List<string> _woken = [];
    private readonly PodObjectWatches _watches;

    public PodObjectWatchesTests()
    {
        _watches = new PodObjectWatches(new PodObjectListWatches(_configMaps.ListWatch, _secrets.ListWatch), _api);
        _watches.PodChanged += uid =>
        {
            lock (_woken)
            {
                _woken.Add(uid);
            }
        };
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _watches.DisposeAsync();

    [Fact]
    public async Task Register_StartsOneWatchPerReferencedObject_SharedBetweenPods_AndUnregisterStopsTheUnused()
    {
        _watches.RegisterPod(UsingObjects("a", volumeConfigMap: "shared", envSecret: "creds"));
        _watches.RegisterPod(UsingObjects("b", projectedConfigMap: "shared", envFromConfigMap: "settings"));
        Assert.Equal((2, 1), (_watches.ConfigMapWatches, _watches.SecretWatches));
        Assert.Equal(["default/settings", "default/shared"], _configMaps.Started.Order(StringComparer.Ordinal));
        Assert.Equal(["default/creds"], _secrets.Started);
        await WaitUntil(() => _configMaps.Watching("default/shared") && _secrets.Watching("default/creds"), "the watches");

        _watches.UnregisterPod("uid-a");
        Assert.Equal((2, 0), (_watches.ConfigMapWatches, _watches.SecretWatches));
        await WaitUntil(() => !_secrets.Watching("default/creds"), "the secret's watch to stop");
        Assert.True(_configMaps.Watching("default/shared"));

        _watches.UnregisterPod("uid-b");
        Assert.Equal((0, 0), (_watches.ConfigMapWatches, _watches.SecretWatches));
        await WaitUntil(() => !_configMaps.Watching("default/shared") && !_configMaps.Watching("default/settings"), "every watch to stop");
    }

    [Fact]
    public async Task ReRegister_WithChangedReferences_KeepsTheCommonWatch_AndSwapsTheOthers()
    {
        _watches.RegisterPod(UsingObjects("a", volumeConfigMap: "keep", envFromConfigMap: "old"));
        _watches.RegisterPod(UsingObjects("a", volumeConfigMap: "keep", envFromConfigMap: "new"));
        Assert.Equal(2, _watches.ConfigMapWatches);
        Assert.Equal(1, _configMaps.Started.Count(k => k == "default/keep"));
        await WaitUntil(() => !_configMaps.Watching("default/old") && _configMaps.Watching("default/new"), "old stopped, new watched");
    }

    [Fact]
    public async Task Reads_ComeFromTheWatch_NotFromGets_AndUnreferencedObjectsFallBackToAGet()
    {
        _configMaps.Put(ConfigMap("shared", "v1"));
        _api.AddConfigMap("other", new Dictionary<string, string> { ["k"] = "x" });
        _watches.RegisterPod(UsingObjects("a", volumeConfigMap: "shared"));

        for (var i = 0; i < 5; i++)
        {
            var read = await _watches.GetConfigMapAsync("default", "shared", CancellationToken.None);
            Assert.Equal("v1", read!.Data["k"]);
        }

        Assert.Equal(1, _configMaps.Lists);
        Assert.DoesNotContain(_api.Actions, a => a.StartsWith("get configmap", StringComparison.Ordinal));

        Assert.Equal("x", (await _watches.GetConfigMapAsync("default", "other", CancellationToken.None))!.Data["k"]);
        Assert.Contains("get configmap default/other", _api.Actions);
    }

    [Fact]
    public async Task AnObjectThatDoesNotExist_ReadsAsNull_AndOneDeletedLater_TooAfterItsEvent()
    {
        _secrets.Put(Secret("creds"));
        _watches.RegisterPod(UsingObjects("a", envSecret: "creds", volumeConfigMap: "absent"));
        Assert.Null(await _watches.GetConfigMapAsync("default", "absent", CancellationToken.None));
        Assert.NotNull(await _watches.GetSecretAsync("default", "creds", CancellationToken.None));

        _secrets.Send(WatchEventType.Deleted, Secret("creds"));
        await WaitUntil(async () => await _watches.GetSecretAsync("default", "creds", CancellationToken.None) is null, "the deletion");
        await WaitUntil(() => Woken.Contains("uid-a"), "the pod woken by the deletion");
    }

    [Fact]
    public async Task AChange_WakesExactlyThePodsReferencingTheObject_TheFirstListWakesNone()
    {
        _configMaps.Put(ConfigMap("shared", "v1"));
        _configMaps.Put(ConfigMap("own", "v1"));
        _watches.RegisterPod(UsingObjects("a", volumeConfigMap: "shared"));
        _watches.RegisterPod(UsingObjects("b", volumeConfigMap: "shared", envFromConfigMap: "own"));
        _watches.RegisterPod(UsingObjects("c", volumeConfigMap: "unrelated"));
        Assert.NotNull(await _watches.GetConfigMapAsync("default", "shared", CancellationToken.None));
        Assert.NotNull(await _watches.GetConfigMapAsync("default", "own", CancellationToken.None));
        await WaitUntil(() => _configMaps.Watching("default/shared") && _configMaps.Watching("default/own"), "the watches");
        Assert.Empty(Woken);

        _configMaps.Send(WatchEventType.Modified, ConfigMap("own", "v2", resourceVersion: "2"));
        await WaitUntil(() => Woken.Count == 1, "one pod woken");
        Assert.Equal(["uid-b"], Woken);
        await WaitUntil(async () => (await _watches.GetConfigMapAsync("default", "own", CancellationToken.None))!.Data["k"] == "v2", "the new data");

        _configMaps.Send(WatchEventType.Modified, ConfigMap("shared", "v2", resourceVersion: "3"));
        await WaitUntil(() => Woken.Count == 3, "both pods woken");
        Assert.Equal(["uid-a", "uid-b"], Woken.Skip(1).Order(StringComparer.Ordinal));

        // Created after the pod: the pod that waits for it is woken.
        _configMaps.Send(WatchEventType.Added, ConfigMap("unrelated", "v1", resourceVersion: "4"));
        await WaitUntil(() => Woken.Contains("uid-c"), "the pod of the new object");
    }

    [Fact]
    public async Task AnImmutableObject_IsKept_AndItsWatchStopped()
    {
        var frozen = ConfigMap("frozen", "v1");
        frozen.Immutable = true;
        _configMaps.Put(frozen);
        _watches.RegisterPod(UsingObjects("a", volumeConfigMap: "frozen"));
        Assert.Equal("v1", (await _watches.GetConfigMapAsync("default", "frozen", CancellationToken.None))!.Data["k"]);
        Assert.Equal(0, _watches.ConfigMapWatches);
        await WaitUntil(() => !_configMaps.Watching("default/frozen"), "the watch to stop");
        Assert.Equal("v1", (await _watches.GetConfigMapAsync("default", "frozen", CancellationToken.None))!.Data["k"]);
        Assert.Equal(1, _configMaps.Lists);
    }

    [Fact]
    public async Task AWatchNotReadForFiveMinutes_IsStopped_AndTheNextReadWatchesAgain_FromAFreshList()
    {
        var time = new ManualTime();
        await using var watches = new PodObjectWatches(new PodObjectListWatches(_configMaps.ListWatch, _secrets.ListWatch), _api, time);
        _configMaps.Put(ConfigMap("env", "v1"));
        watches.RegisterPod(UsingObjects("a", envFromConfigMap: "env"));
        Assert.Equal("v1", (await watches.GetConfigMapAsync("default", "env", CancellationToken.None))!.Data["k"]);
        await WaitUntil(() => _configMaps.Watching("default/env"), "the watch");

        // Read again after 4 minutes: still in use at 6.
        time.Advance(TimeSpan.FromMinutes(4));
        Assert.NotNull(await watches.GetConfigMapAsync("default", "env", CancellationToken.None));
        time.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(0, watches.RecycleIdle());

        // Unread for more than 5 minutes: stopped, still referenced.
        time.Advance(TimeSpan.FromMinutes(3) + TimeSpan.FromSeconds(1));
        Assert.Equal(1, watches.RecycleIdle());
        Assert.Equal(0, watches.ConfigMapWatches);
        await WaitUntil(() => !_configMaps.Watching("default/env"), "the idle watch to stop");

        // Changed while nobody watched: the next read lists again and sees it, with no GET.
        _configMaps.Put(ConfigMap("env", "v2", resourceVersion: "2"));
        Assert.Equal("v2", (await watches.GetConfigMapAsync("default", "env", CancellationToken.None))!.Data["k"]);
        Assert.Equal((2, 1), (_configMaps.Lists, watches.ConfigMapWatches));
        await WaitUntil(() => _configMaps.Watching("default/env"), "the watch again");
        Assert.DoesNotContain(_api.Actions, a => a.StartsWith("get configmap", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AWatchStillWaitingForItsFirstList_IsNotRecycled()
    {
        var time = new ManualTime();
        await using var watches = new PodObjectWatches(new PodObjectListWatches(_configMaps.ListWatch, _secrets.ListWatch), _api, time);
        _secrets.HoldLists = true;
        watches.RegisterPod(UsingObjects("a", envSecret: "slow"));

        time.Advance(TimeSpan.FromMinutes(10));

        Assert.Equal(0, watches.RecycleIdle());
        Assert.Equal(1, watches.SecretWatches);
        _secrets.HoldLists = false;
    }

    [Fact]
    public async Task AReadBeforeTheFirstList_FailsAfterASecond_AndThePodIsWokenWhenTheListComes()
    {
        _configMaps.HoldLists = true;
        _watches.RegisterPod(UsingObjects("a", volumeConfigMap: "slow"));
        var watch = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<ContainerConfigException>(() => _watches.GetConfigMapAsync("default", "slow", CancellationToken.None));
        Assert.Equal("failed to sync configmap cache: timed out waiting for the condition", error.Message);
        Assert.InRange(watch.Elapsed, ObjectCacheSyncWait - TimeSpan.FromMilliseconds(100), Patience);
        Assert.Empty(Woken);

        _configMaps.HoldLists = false;
        await WaitUntil(() => Woken.Contains("uid-a"), "the pod woken by the first list");
    }

    private static TimeSpan ObjectCacheSyncWait => TimeSpan.FromSeconds(1);

    private List<string> Woken
    {
        get
        {
            lock (_woken)
            {
                return [.. _woken];
            }
        }
    }

    private static V1Pod UsingObjects(string name, string? volumeConfigMap = null, string? projectedConfigMap = null, string? envFromConfigMap = null, string? envSecret = null)
    {
        var container = Container("app");
        var pod = Pod(name, containers: [container]);
        pod.Spec.Volumes = [];
        if (volumeConfigMap is not null)
        {
            pod.Spec.Volumes.Add(new V1Volume { Name = "cm", ConfigMap = new V1ConfigMapVolumeSource { Name = volumeConfigMap } });
        }

        if (projectedConfigMap is not null)
        {
            pod.Spec.Volumes.Add(new V1Volume { Name = "proj", Projected = new V1ProjectedVolumeSource { Sources = [new V1VolumeProjection { ConfigMap = new V1ConfigMapProjection { Name = projectedConfigMap } }] } });
        }

        if (envFromConfigMap is not null)
        {
            container.EnvFrom = [new V1EnvFromSource { ConfigMapRef = new V1ConfigMapEnvSource { Name = envFromConfigMap } }];
        }

        if (envSecret is not null)
        {
            container.Env = [new V1EnvVar { Name = "S", ValueFrom = new V1EnvVarSource { SecretKeyRef = new V1SecretKeySelector { Name = envSecret, Key = "k" } } }];
        }

        return pod;
    }

    private static V1ConfigMap ConfigMap(string name, string value, string resourceVersion = "1") =>
        new() { Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "default", ResourceVersion = resourceVersion }, Data = new Dictionary<string, string> { ["k"] = value } };

    private static V1Secret Secret(string name) =>
        new() { Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "default", ResourceVersion = "1" }, Data = new Dictionary<string, byte[]> { ["k"] = [1] } };

    private static Task WaitUntil(Func<bool> condition, string what) => WaitUntil(() => Task.FromResult(condition()), what);

    private static async Task WaitUntil(Func<Task<bool>> condition, string what)
    {
        var watch = Stopwatch.StartNew();
        while (!await condition())
        {
            if (watch.Elapsed > Patience)
            {
                throw new TimeoutException("timed out waiting for " + what);
            }

            await Task.Delay(10);
        }
    }
}

/// <summary>An API of single objects by namespace/name: each list+watch serves one object; tests send its events.</summary>
internal sealed class FakeObjects<T>
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    private readonly Dictionary<string, T> _objects = [];
    private readonly Dictionary<string, Channel<(WatchEventType, T)>> _channels = [];
    private readonly HashSet<string> _watching = [];
    private int _lists;

    public List<string> Started { get; } = [];

    /// <summary>While true, lists do not answer (a slow API server).</summary>
    public bool HoldLists { get; set; }

    public int Lists => Volatile.Read(ref _lists);

    public void Put(T item)
    {
        lock (_objects)
        {
            _objects[Key(item)] = item;
        }
    }

    public bool Watching(string key)
    {
        lock (_objects)
        {
            return _watching.Contains(key);
        }
    }

    public void Send(WatchEventType type, T item)
    {
        Channel<(WatchEventType, T)> channel;
        lock (_objects)
        {
            channel = Channel(Key(item));
        }

        channel.Writer.TryWrite((type, item));
    }

    public IListWatch<T> ListWatch(string ns, string name)
    {
        lock (_objects)
        {
            Started.Add(ns + "/" + name);
        }

        return new One(this, ns + "/" + name);
    }

    private static string Key(T item) => item.Metadata.NamespaceProperty + "/" + item.Metadata.Name;

    private Channel<(WatchEventType, T)> Channel(string key)
    {
        if (!_channels.TryGetValue(key, out var channel))
        {
            _channels[key] = channel = System.Threading.Channels.Channel.CreateUnbounded<(WatchEventType, T)>();
        }

        return channel;
    }

    private sealed class One(FakeObjects<T> api, string key) : IListWatch<T>
    {
        public async Task<(IReadOnlyList<T> Items, string ResourceVersion)> ListAsync(CancellationToken cancellationToken)
        {
            while (api.HoldLists)
            {
                await Task.Delay(10, cancellationToken);
            }

            Interlocked.Increment(ref api._lists);
            lock (api._objects)
            {
                return (api._objects.TryGetValue(key, out var item) ? [item] : [], "1");
            }
        }

        public async IAsyncEnumerable<(WatchEventType Type, T? Object)> WatchAsync(string resourceVersion, TimeSpan timeout, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            Channel<(WatchEventType, T)> channel;
            lock (api._objects)
            {
                channel = api.Channel(key);
                api._watching.Add(key);
            }

            try
            {
                // Cancellation throws, as the real client's watch does when the informer stops.
                while (await channel.Reader.WaitToReadAsync(cancellationToken))
                {
                    while (channel.Reader.TryRead(out var item))
                    {
                        yield return item;
                    }
                }
            }
            finally
            {
                lock (api._objects)
                {
                    api._watching.Remove(key);
                }
            }
        }
    }
}
