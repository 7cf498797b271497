using Cetus.Cri.Fake;
using Cetus.Cri.V1;
using Cetus.Kubelet.Node;
using Cetus.Kubelet.Pods;
using Cetus.Kubelet.Status;
using Cetus.Kubelet.Volumes;
using k8s.Models;

namespace Cetus.Kubelet.Tests;

/// <summary>A mounter that records what it is asked (memory-backed emptyDir without root).</summary>
internal sealed class FakeMounter : IMounter
{
    private readonly HashSet<string> _mounted = [];

    public List<string> Calls { get; } = [];

    /// <summary>Called with the target of each mount, before it is recorded.</summary>
    public Action<string>? OnMount { get; set; }

    public Task MountTmpfsAsync(string target, long? sizeBytes, CancellationToken cancellationToken)
    {
        OnMount?.Invoke(target);
        Calls.Add($"mount tmpfs {target} size={sizeBytes}");
        _mounted.Add(target);
        return Task.CompletedTask;
    }

    public Task UnmountAsync(string target, CancellationToken cancellationToken)
    {
        Calls.Add($"umount {target}");
        _mounted.Remove(target);
        return Task.CompletedTask;
    }

    public bool IsMountPoint(string path) => _mounted.Contains(path);
}

/// <summary>
/// A node with a kubelet root directory of its own (a temporary directory), the fake runtime, the fake API client and
/// a fake mounter: syncs pods and hands back the configs the runtime received.
/// </summary>
internal sealed class PodSpecFixture : IDisposable
{
    public PodSpecFixture(string? clusterDns = "10.43.0.10", string? resolvConf = null, bool materialized = true, IMounter? mounter = null, IReadOnlyList<IPodAdmitHandler>? admitHandlers = null)
    {
        Root = Directory.CreateTempSubdirectory("cetus-kubelet-").FullName;
        Client.Now = () => Time.GetUtcNow().UtcDateTime;
        Runtime = new FakeRuntime(new FakeRuntimeOptions
        {
            Time = Time,
            Images = ["nginx:1.27", "busybox:1.35"],
            Behavior = c => c.Labels[CriLabels.ContainerKind] == CriLabels.Init ? FakeContainerOutcome.Succeed : FakeContainerOutcome.Run,
        });
        Node = new NodeConfig
        {
            Name = "node-1",
            InternalIP = "192.168.0.7",
            Capacity = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("4"), ["memory"] = new("8Gi"), ["ephemeral-storage"] = new("100Gi"), ["pods"] = new("110") },
            RootDirectory = materialized ? Root : null,
            ClusterDns = clusterDns,
            ResolvConf = resolvConf,
        };
        Configs = new PodConfigs(Runtime, Node, Client, mounter ?? Mounter, Time);
        Manager = new PodRuntimeManager(Runtime, FakeRuntime.RuntimeName, configs: Configs, events: Events);
        Sync = new PodSync(Manager, new PodStatusManager(Client), Client, Node.InternalIP, Time, admitHandlers: admitHandlers);
    }

    public string Root { get; }

    public ManualTime Time { get; } = new();

    public FakeKubeletClient Client { get; } = new();

    public FakeMounter Mounter { get; } = new();

    public FakeEventSink Events { get; } = new();

    public FakeRuntime Runtime { get; }

    public NodeConfig Node { get; }

    public PodConfigs Configs { get; }

    public PodRuntimeManager Manager { get; }

    public PodSync Sync { get; }

    /// <summary>Stores the pod and syncs it once; returns the pod as stored after the sync (with its status).</summary>
    public async Task<V1Pod> RunAsync(V1Pod pod)
    {
        if (!Client.Pods.ContainsKey($"{pod.Metadata.NamespaceProperty}/{pod.Metadata.Name}"))
        {
            Client.Add(pod);
        }

        await Sync.SyncAsync(Client.Pod(pod.Metadata.Name), CancellationToken.None);
        return Client.Pod(pod.Metadata.Name);
    }

    /// <summary>The config of the latest container named <paramref name="name"/>.</summary>
    public async Task<ContainerConfig> ContainerConfigAsync(string name)
    {
        var container = (await Runtime.ListContainersAsync(null, CancellationToken.None)).Where(c => c.Metadata.Name == name).MaxBy(c => c.Metadata.Attempt)
            ?? throw new InvalidOperationException($"no container {name}");
        return Runtime.ContainerConfigOf(container.Id)!;
    }

    /// <summary>The config of the pod's newest sandbox.</summary>
    public async Task<PodSandboxConfig> SandboxConfigAsync()
    {
        var sandbox = (await Runtime.ListPodSandboxAsync(null, CancellationToken.None)).MaxBy(s => s.CreatedAt) ?? throw new InvalidOperationException("no sandbox");
        return Runtime.SandboxConfigOf(sandbox.Id)!;
    }

    public string VolumeDir(V1Pod pod, string plugin, string name) => Path.Combine(Root, "pods", pod.Metadata.Uid, "volumes", plugin, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
