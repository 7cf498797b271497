using Cetus.Client.Events;
using Cetus.Client.Informers;
using Cetus.Cri;
using Cetus.Kubelet.Api;
using Cetus.Kubelet.Images;
using Cetus.Kubelet.Node;
using Cetus.Kubelet.Objects;
using Cetus.Kubelet.Pods;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cetus.Kubelet;

/// <summary>How often a real kubelet does what.</summary>
public sealed record KubeletHostOptions
{
    /// <summary>Lease renewals (NodeLease.RenewInterval, 10 s).</summary>
    public TimeSpan LeaseInterval { get; init; } = NodeLease.RenewInterval;

    /// <summary>Node status computations (nodeStatusUpdateFrequency, 10 s; written on change or every 5 minutes).</summary>
    public TimeSpan StatusInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>PLEG relists (1 s).</summary>
    public TimeSpan RelistInterval { get; init; } = PodLifecycleEventGenerator.RelistPeriod;

    /// <summary>Image garbage collection's thresholds and minimum age; null: no image garbage collection.</summary>
    public ImageGCPolicy? ImageGC { get; init; } = new();

    /// <summary>Image garbage collection rounds (ImageGCPeriod, 5 minutes).</summary>
    public TimeSpan ImageGCInterval { get; init; } = ImageGCPolicy.Period;

    /// <summary>The runtime's sandbox (pause) image, never collected even when the runtime does not pin it.</summary>
    public string? SandboxImage { get; init; }

    /// <summary>The capacity and available bytes of a mount point (the image filesystem); default: statfs.</summary>
    public Func<string, (long Capacity, long Available)?>? FileSystemSpace { get; init; }
}

/// <summary>
/// The kubelet of one real node: a <see cref="NodeAgent"/> over a container runtime, fed by its own pod informer
/// (only the pods bound to this node: fieldSelector spec.nodeName=NODE), with the Lease renewed and the status
/// computed every 10 s and a PLEG relisting the runtime every second. Running pods are adopted after a restart (the
/// pod workers find their sandboxes and containers by the pod-uid label and leave what runs alone); sandboxes of pods
/// that are not bound here once the informer has synced (orphans) are stopped and removed. Unused images are garbage
/// collected every 5 minutes when the image filesystem is fuller than the policy allows (<see cref="ImageGarbageCollector"/>).
/// </summary>
public sealed class KubeletHost : IAsyncDisposable
{
    private readonly KubeletHostOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SharedInformer<V1Pod> _pods;
    private readonly SharedInformer<V1Service>? _services;
    private bool _informerStarted;
    private bool _orphanDirectoriesCleaned;

    /// <summary>
    /// Creates the kubelet of node <paramref name="config"/>; <paramref name="pods"/> lists and watches this node's
    /// pods, <paramref name="services"/> (when given) every service, for pods' service-link variables; its events go to
    /// <paramref name="events"/> (an <see cref="EventRecorder"/> for component kubelet). With <paramref name="objects"/>
    /// the config maps and secrets the pods use are each watched (<see cref="PodObjectWatches"/>) instead of read with a
    /// GET at every sync.
    /// </summary>
    public KubeletHost(NodeConfig config, IContainerRuntime runtime, IKubeletClient client, IListWatch<V1Pod> pods, KubeletHostOptions? options = null, TimeProvider? time = null, ILoggerFactory? loggers = null, IEventSink? events = null, IListWatch<V1Service>? services = null, PodObjectListWatches? objects = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(runtime);
        ArgumentNullException.ThrowIfNull(pods);
        _options = options ?? new KubeletHostOptions();
        _time = time ?? TimeProvider.System;
        loggers ??= NullLoggerFactory.Instance;
        _logger = loggers.CreateLogger<KubeletHost>();
        Agent = new NodeAgent(config, runtime, client, _time, loggers, events);
        Pleg = new PodLifecycleEventGenerator(runtime);
        _pods = new SharedInformer<V1Pod>(pods, TimeSpan.Zero, _time, loggers.CreateLogger("Cetus.Kubelet.Pods"));
        if (objects is not null)
        {
            Agent.Objects = new PodObjectWatches(objects, client, _time, loggers.CreateLogger<PodObjectWatches>());
        }

        if (_options.ImageGC is { } policy)
        {
            ImageGC = new ImageGarbageCollector(runtime, policy, _options.FileSystemSpace ?? ImageGarbageCollector.StatFileSystem, config.Name, _options.SandboxImage, _time, events, loggers.CreateLogger<ImageGarbageCollector>());
        }

        if (services is not null)
        {
            _services = new SharedInformer<V1Service>(services, TimeSpan.Zero, _time, loggers.CreateLogger("Cetus.Kubelet.Services"));
            Agent.Services = new Env.InformerServiceLister(_services);
        }
    }

    /// <summary>The node agent (registration, Lease, pod workers).</summary>
    public NodeAgent Agent { get; }

    /// <summary>The PLEG.</summary>
    public PodLifecycleEventGenerator Pleg { get; }

    /// <summary>Image garbage collection (null when off).</summary>
    public ImageGarbageCollector? ImageGC { get; }

    /// <summary>The pods bound to this node, as the informer sees them.</summary>
    public Indexer<V1Pod> Pods => _pods.Store;

    /// <summary>True once the pod informer has listed this node's pods.</summary>
    public bool PodsSynced => _pods.HasSynced;

    /// <summary>
    /// Registers the node and takes its Lease (through <see cref="NodeAgent.StartAsync"/>), then starts the pod
    /// informer and a first relist. Returns once the node is registered.
    /// </summary>
    public async Task StartAsync(CancellationToken stopping)
    {
        await Agent.StartAsync(stopping).ConfigureAwait(false);
        _services?.Start();
        _pods.AddEventHandler(new ResourceEventHandler<V1Pod>
        {
            OnAdd = Handle,
            OnUpdate = (old, pod) =>
            {
                if (IsMine(pod) && PodUpdates.StatusOnly(old, pod))
                {
                    // Its own status patch coming back (or another writer's status change): no new desired state.
                    Agent.ObservePod(pod);
                    return;
                }

                Handle(pod);
            },
            OnDelete = deleted =>
            {
                if (deleted.Object is { } pod && IsMine(pod))
                {
                    Agent.HandlePodDeleted(pod);
                }
            },
        });
        _pods.Start();
        _informerStarted = true;
    }

    /// <summary>Waits until the pod informer has listed this node's pods.</summary>
    public Task WaitForPodsAsync(CancellationToken cancellationToken) => _pods.WaitForSyncAsync(cancellationToken);

    /// <summary>
    /// Renews the Lease, reports the status and relists the runtime at their intervals until cancelled
    /// (after <see cref="StartAsync"/>).
    /// </summary>
    public async Task RunAsync(CancellationToken stopping)
    {
        try
        {
            await Task.WhenAll(
                EveryAsync(_options.LeaseInterval, Agent.Lease.RenewAsync, "lease renewal", stopping),
                EveryAsync(_options.StatusInterval, ct => Agent.Reporter!.ReportAsync(force: false, ct), "status report", stopping),
                EveryAsync(_options.RelistInterval, RelistAsync, "relist", stopping),
                ImageGC is null ? Task.CompletedTask : EveryAsync(_options.ImageGCInterval, ct => ImageGC.RunOnceAsync(ct), "image garbage collection", stopping)).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
    }

    /// <summary>
    /// One PLEG relist: every pod whose sandboxes or containers changed is synced again; once the informer has
    /// synced, sandboxes of pods not bound here are removed (through a pod worker, so never while that pod syncs).
    /// </summary>
    public async Task RelistAsync(CancellationToken cancellationToken)
    {
        var changed = await Pleg.RelistAsync(cancellationToken).ConfigureAwait(false);
        var synced = _pods.HasSynced;
        var byUid = _pods.Store.List().Where(IsMine).ToDictionary(p => p.Metadata.Uid, StringComparer.Ordinal);
        foreach (var runtimePod in changed)
        {
            if (byUid.TryGetValue(runtimePod.Uid, out var pod))
            {
                Agent.HandlePod(pod);
            }
        }

        if (!synced)
        {
            // Not yet known which pods are bound here: nothing is an orphan yet.
            return;
        }

        foreach (var orphan in Pleg.Current.Values.Where(p => !byUid.ContainsKey(p.Uid)))
        {
            _logger.LogInformation("removing orphaned pod {Namespace}/{Name} ({Uid}) from the runtime", orphan.Namespace, orphan.Name, orphan.Uid);
            Agent.HandlePodDeleted(new V1Pod { Metadata = new V1ObjectMeta { Uid = orphan.Uid, Name = orphan.Name, NamespaceProperty = orphan.Namespace } });
        }

        if (!_orphanDirectoriesCleaned && Agent.PodVolumes is { } volumes)
        {
            // Once, at start: directories (and volume mounts) of pods neither bound here nor in the runtime; those
            // in the runtime are torn down by their pod worker above.
            _orphanDirectoriesCleaned = true;
            await volumes.CleanUpOrphansAsync(byUid.Keys.Concat(Pleg.Current.Values.Select(p => p.Uid)).ToHashSet(StringComparer.Ordinal), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Stops the pod informer.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_informerStarted)
        {
            await _pods.DisposeAsync().ConfigureAwait(false);
            if (_services is not null)
            {
                await _services.DisposeAsync().ConfigureAwait(false);
            }
        }

        if (Agent.Objects is not null)
        {
            await Agent.Objects.DisposeAsync().ConfigureAwait(false);
        }
    }

    private void Handle(V1Pod pod)
    {
        if (IsMine(pod))
        {
            Agent.HandlePod(pod);
        }
    }

    private bool IsMine(V1Pod pod) => pod.Spec?.NodeName == Agent.Config.Name && !string.IsNullOrEmpty(pod.Metadata?.Uid);

    private async Task EveryAsync(TimeSpan period, Func<CancellationToken, Task> action, string what, CancellationToken stopping)
    {
        using var timer = new PeriodicTimer(period, _time);
        while (await timer.WaitForNextTickAsync(stopping).ConfigureAwait(false))
        {
            try
            {
                await action(stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                _logger.LogWarning(e, "{What} of node {Node} failed", what, Agent.Config.Name);
            }
        }
    }
}
