using Cetus.Client.Informers;
using Cetus.Cri.Fake;
using Cetus.Kubelet.Api;
using Cetus.Kubelet.Objects;
using Cetus.Kubelet.Node;
using Cetus.Kubelet.Pods;
using Cetus.Kubelet.Timing;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cetus.Kubelet.Hollow;

/// <summary>What <c>cetus hollow</c> simulates.</summary>
public sealed record HollowOptions
{
    /// <summary>How many nodes.</summary>
    public int Nodes { get; init; } = 1;

    /// <summary>Node names are this prefix plus an index (hollow-0, hollow-1, …).</summary>
    public string NamePrefix { get; init; } = "hollow-";

    /// <summary>Each node's capacity (cpu, memory, pods, ephemeral-storage).</summary>
    public IReadOnlyDictionary<string, ResourceQuantity> Capacity { get; init; } = new Dictionary<string, ResourceQuantity>
    {
        ["cpu"] = new("4"),
        ["memory"] = new("16Gi"),
        ["pods"] = new("110"),
        ["ephemeral-storage"] = new("100Gi"),
    };

    /// <summary>Labels of every node.</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    /// <summary>Taints of every node.</summary>
    public IReadOnlyList<V1Taint> Taints { get; init; } = [];

    /// <summary>How many registrations (and other start-up writes) run at once.</summary>
    public int RegisterConcurrency { get; init; } = 32;

    /// <summary>
    /// Whether the nodes run the pods bound to them (the default). Without, they only register, stay Ready and renew
    /// their Leases, as the nodes of Kubernetes' scheduler_perf, which have no kubelet: bound pods stay Pending, and
    /// deleting one needs grace period 0, as for a node that is gone.
    /// </summary>
    public bool RunPods { get; init; } = true;
}

/// <summary>
/// N simulated nodes in one process, as Kubernetes' kubemark and KWOK: each a <see cref="NodeAgent"/> over its own
/// <see cref="FakeRuntime"/> (containers run at once; init containers exit 0 at once), all sharing one client, ONE pod
/// informer (one list+watch for the whole cluster, routed locally by spec.nodeName) and two
/// <see cref="SpreadTicker{T}"/>s spreading Lease renewals and status reports evenly over their 10 s period, and one
/// <see cref="PodObjectWatches"/> (the config maps and secrets their pods use, one watch per object).
/// </summary>
public sealed class HollowNodes : IAsyncDisposable
{
    private readonly IKubernetes _client;
    private readonly HollowOptions _options;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggers;
    private readonly Dictionary<string, NodeAgent> _agents = [];
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, NodeAgent> _byPodUid = new(StringComparer.Ordinal);
    private SharedInformer<V1Pod>? _pods;
    private PodObjectWatches? _objects;

    /// <summary>Creates the nodes (nothing is registered before <see cref="RunAsync"/>).</summary>
    public HollowNodes(IKubernetes client, HollowOptions options, TimeProvider? time = null, ILoggerFactory? loggers = null)
    {
        _client = client ?? throw new ArgumentNullException(nameof(client));
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _time = time ?? TimeProvider.System;
        _loggers = loggers ?? NullLoggerFactory.Instance;
    }

    /// <summary>The node names.</summary>
    public IEnumerable<string> NodeNames => Enumerable.Range(0, _options.Nodes).Select(i => _options.NamePrefix + i.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>
    /// Registers every node (reporting progress as (registered, total)), starts the shared pod informer, then renews
    /// Leases and reports statuses until cancelled.
    /// </summary>
    public async Task RunAsync(Action<int, int>? progress, CancellationToken cancellationToken)
    {
        var client = new KubernetesKubeletClient(_client);
        var leases = new SpreadTicker<NodeAgent>(NodeLease.RenewInterval, (a, ct) => a.Lease.RenewAsync(ct), _options.RegisterConcurrency, _time, _loggers.CreateLogger("Cetus.Kubelet.Hollow.Leases"));
        var statuses = new SpreadTicker<NodeAgent>(NodeLease.RenewInterval, (a, ct) => a.Reporter!.ReportAsync(force: false, ct), _options.RegisterConcurrency, _time, _loggers.CreateLogger("Cetus.Kubelet.Hollow.Status"));
        // One watch cache of config maps and secrets for every node of the process: an object many pods use (their
        // namespace's kube-root-ca.crt, a Deployment's envFrom) is one watch, not a GET per container created.
        _objects = new PodObjectWatches(PodObjectListWatches.For(_client), client, _time, _loggers.CreateLogger<PodObjectWatches>());
        _objects.PodChanged += uid =>
        {
            if (_byPodUid.TryGetValue(uid, out var owner))
            {
                owner.Requeue(uid);
            }
        };
        var index = 0;
        foreach (var name in NodeNames)
        {
            var runtime = new FakeRuntime(new FakeRuntimeOptions
            {
                Time = _time,
                PodIPPrefix = PodIPPrefix(index),
                // Plain init containers complete at once; everything else runs until stopped.
                Behavior = c => c.Labels.TryGetValue(CriLabels.ContainerKind, out var kind) && kind == CriLabels.Init ? FakeContainerOutcome.Succeed : FakeContainerOutcome.Run,
                IdSeed = name,
            });
            var config = new NodeConfig
            {
                Name = name,
                SimulatedNetwork = true,
                Capacity = _options.Capacity,
                Labels = _options.Labels,
                Taints = _options.Taints,
                InternalIP = NodeIP(index),
                OSImage = "Cetus hollow node",
                KernelVersion = "hollow",
            };
            _agents[name] = new NodeAgent(config, runtime, client, _time, _loggers) { Objects = _objects, SharesObjects = true };
            index++;
        }

        // Pods first, so that pods bound before registration finishes are picked up as soon as their node is.
        _pods = _options.RunPods ? new SharedInformer<V1Pod>(ListWatches.Pods(_client), TimeSpan.Zero, _time, _loggers.CreateLogger("Cetus.Kubelet.Hollow.Pods")) : null;
        var registered = 0;
        using (var gate = new SemaphoreSlim(_options.RegisterConcurrency))
        {
            await Task.WhenAll(_agents.Values.Select(async agent =>
            {
                await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
                try
                {
                    await agent.StartAsync(cancellationToken).ConfigureAwait(false);
                }
                finally
                {
                    gate.Release();
                }

                leases.Add(agent);
                statuses.Add(agent);
                lock (gate)
                {
                    progress?.Invoke(++registered, _agents.Count);
                }
            })).ConfigureAwait(false);
        }

        _pods?.AddEventHandler(new ResourceEventHandler<V1Pod>
        {
            OnAdd = Handle,
            OnUpdate = (_, pod) => Handle(pod),
            OnDelete = deleted =>
            {
                if (Route(deleted.Object) is { } agent)
                {
                    _byPodUid.TryRemove(deleted.Object.Metadata.Uid, out _);
                    agent.HandlePodDeleted(deleted.Object);
                }
            },
        });
        _pods?.Start();
        await Task.WhenAll(leases.RunAsync(cancellationToken), statuses.RunAsync(cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>Stops the pod informer and the config map and secret watches.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_pods is not null)
        {
            await _pods.DisposeAsync().ConfigureAwait(false);
        }

        if (_objects is not null)
        {
            await _objects.DisposeAsync().ConfigureAwait(false);
        }
    }

    private void Handle(V1Pod pod)
    {
        if (Route(pod) is { } agent && pod.Metadata?.Uid is { Length: > 0 } uid)
        {
            _byPodUid[uid] = agent;
            agent.HandlePod(pod);
        }
    }

    // Node i: InternalIP 10.(64 + i/65536).(i/256 % 256).(i % 256) would collide with .0 and .255; use a /16 per 250 nodes.
    private static string NodeIP(int index) => $"10.{64 + (index / 62500)}.{index / 250 % 250}.{(index % 250) + 1}";

    // Node i's pods: 10.(128 + i/256).(i%256).2-254, one /24 per node (as a podCIDR).
    private static string PodIPPrefix(int index) => $"10.{128 + (index / 256)}.{index % 256}.";

    private NodeAgent? Route(V1Pod pod) =>
        pod.Spec?.NodeName is { Length: > 0 } node && _agents.TryGetValue(node, out var agent) ? agent : null;
}
