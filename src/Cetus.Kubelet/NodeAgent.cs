using Cetus.Client.Events;
using Cetus.Cri;
using Cetus.Kubelet.Api;
using Cetus.Kubelet.Events;
using Cetus.Kubelet.Node;
using Cetus.Kubelet.Pods;
using Cetus.Kubelet.Status;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cetus.Kubelet;

/// <summary>
/// The kubelet of one node, without its pod source and timers: node registration and status
/// (<see cref="NodeStatusReporter"/>), the Lease (<see cref="NodeLease"/>), and the pod workers syncing the pods bound
/// to it against a container runtime. The caller feeds it pods (<see cref="HandlePod"/>, <see cref="HandlePodDeleted"/>)
/// from an informer and drives <see cref="NodeLease.RenewAsync"/> and <see cref="NodeStatusReporter.ReportAsync"/>
/// periodically, so one process can run one node (the real kubelet) or thousands sharing one watch (hollow nodes).
/// The kubelet's events (node and pods) go to the <see cref="IEventSink"/> given (none when not given: hollow nodes).
/// </summary>
public sealed class NodeAgent
{
    private readonly IContainerRuntime _runtime;
    private readonly IKubeletClient _client;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggers;
    private readonly IEventSink _events;
    private PodWorkers? _workers;

    /// <summary>Creates the agent of node <paramref name="config"/> over <paramref name="runtime"/>, recording its events in <paramref name="events"/>.</summary>
    public NodeAgent(NodeConfig config, IContainerRuntime runtime, IKubeletClient client, TimeProvider? time = null, ILoggerFactory? loggers = null, IEventSink? events = null)
    {
        _events = events ?? NullEventSink.Instance;
        Config = config ?? throw new ArgumentNullException(nameof(config));
        _runtime = runtime ?? throw new ArgumentNullException(nameof(runtime));
        _client = client ?? throw new ArgumentNullException(nameof(client));
        _time = time ?? TimeProvider.System;
        _loggers = loggers ?? NullLoggerFactory.Instance;
        Lease = new NodeLease(config.Name, () => Reporter?.Uid, client, _time, _loggers.CreateLogger<NodeLease>());
    }

    /// <summary>The node's configuration.</summary>
    public NodeConfig Config { get; }

    /// <summary>The node's Lease heartbeat.</summary>
    public NodeLease Lease { get; }

    /// <summary>The node's status reporter (after <see cref="StartAsync"/>).</summary>
    public NodeStatusReporter? Reporter { get; private set; }

    /// <summary>
    /// Evaluates the node's conditions at each status report (runtime readiness, pressures); set before
    /// <see cref="StartAsync"/>. Null: Ready, no pressure (hollow nodes).
    /// </summary>
    public Func<CancellationToken, Task<NodeHealth>>? Health { get; set; }

    /// <summary>The pods' volumes (after <see cref="StartAsync"/>).</summary>
    public Volumes.VolumeManager? PodVolumes { get; private set; }

    /// <summary>The services, for pods' service-link variables; set before <see cref="StartAsync"/>. Null: none (hollow nodes).</summary>
    public Env.IServiceLister? Services { get; set; }

    /// <summary>
    /// The watches of the config maps and secrets the pods use (a real node); set before <see cref="StartAsync"/>.
    /// Null: they are read with a GET at each use. Hollow nodes share one (<see cref="SharesObjects"/>).
    /// </summary>
    public Objects.PodObjectWatches? Objects { get; set; }

    /// <summary>
    /// True when <see cref="Objects"/> is shared with other agents (hollow nodes): its owner routes
    /// <see cref="Objects.PodObjectWatches.PodChanged"/> to the agent of each pod (<see cref="Requeue"/>) instead of every
    /// agent hearing every change.
    /// </summary>
    public bool SharesObjects { get; set; }

    /// <summary>The pod workers (after <see cref="StartAsync"/>).</summary>
    public PodWorkers Workers => _workers ?? throw new InvalidOperationException("not started");

    /// <summary>Asks the runtime for its version, registers the Node and takes its Lease; pods are synced from then on.</summary>
    public async Task StartAsync(CancellationToken stopping)
    {
        var version = await _runtime.VersionAsync(stopping).ConfigureAwait(false);
        _events.Node(Config.Name, EventTypes.Normal, EventReasons.Starting, "Starting kubelet.");
        Reporter = new NodeStatusReporter(Config, $"{version.RuntimeName}://{version.RuntimeVersion}", _client, time: _time, logger: _loggers.CreateLogger<NodeStatusReporter>(), health: Health, events: _events);
        var configs = new PodConfigs(_runtime, Config, _client, new Volumes.ProcessMounter(), _time, _loggers.CreateLogger<PodConfigs>(), Services, Objects);
        var manager = new PodRuntimeManager(_runtime, version.RuntimeName, _time, _loggers.CreateLogger<PodRuntimeManager>(), configs, Config.SimulatedNetwork, _events);
        var sync = new PodSync(manager, new PodStatusManager(_client, _loggers.CreateLogger<PodStatusManager>()), _client, Config.InternalIP, _time, _loggers.CreateLogger<PodSync>(), [new SysctlAdmission(Config.AllowedUnsafeSysctls)]);
        PodVolumes = configs.Volumes;
        _workers = new PodWorkers(sync, stopping, _time, _loggers.CreateLogger<PodWorkers>());
        if (Objects is not null && !SharesObjects)
        {
            // A changed config map or secret reaches the pods' volumes at once, not at their next periodic sync.
            Objects.PodChanged += _workers.Requeue;
        }

        await Reporter.RegisterAsync(stopping).ConfigureAwait(false);
        await Lease.RenewAsync(stopping).ConfigureAwait(false);
    }

    /// <summary>A pod bound to this node appeared or changed.</summary>
    public void HandlePod(V1Pod pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        Objects?.RegisterPod(pod);
        _workers?.Update(pod);
    }

    /// <summary>Syncs the pod <paramref name="podUid"/> again (a config map or secret it uses changed).</summary>
    public void Requeue(string podUid) => _workers?.Requeue(podUid);

    /// <summary>A pod bound to this node changed only in its status: recorded for the next sync, no sync now.</summary>
    public void ObservePod(V1Pod pod) => _workers?.Observe(pod);

    /// <summary>A pod bound to this node is gone from the API server.</summary>
    public void HandlePodDeleted(V1Pod pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        Objects?.UnregisterPod(pod.Metadata.Uid);
        _workers?.Remove(pod);
    }
}
