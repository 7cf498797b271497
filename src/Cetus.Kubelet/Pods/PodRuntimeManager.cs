using Cetus.Client.Events;
using Cetus.Cri;
using Cetus.Cri.V1;
using Cetus.Kubelet.Events;
using Cetus.Kubelet.Images;
using Cetus.Kubelet.Probes;
using Cetus.Kubelet.Status;
using Grpc.Core;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cetus.Kubelet.Pods;

/// <summary>What one sync step did.</summary>
/// <param name="Changed">True when it changed the runtime (the caller syncs again until nothing changes).</param>
/// <param name="Waiting">Why containers wait, when the kubelet knows (image errors).</param>
public sealed record SyncStep(bool Changed, IReadOnlyDictionary<string, ContainerWaiting> Waiting)
{
    private readonly TimeSpan? _resyncAfter;

    /// <summary>
    /// When set, the pod must be synced again after this long: a container waits out its restart backoff, or an
    /// image pull backoff (<see cref="ContainerWaiting.RetryAfter"/>) — the sooner of the two.
    /// </summary>
    public TimeSpan? ResyncAfter
    {
        get => Waiting.Values.Select(w => w.RetryAfter).Append(_resyncAfter).Where(t => t is not null).Min();
        init => _resyncAfter = value;
    }

    /// <summary>
    /// When the step changed nothing: the runtime state it read (the sandbox and containers as they are now), so the
    /// caller need not list the runtime again. Null when unknown (the step changed something or read no state).
    /// </summary>
    public RuntimePodState? State { get; init; }

    /// <summary>
    /// When the step changed something: what it knows the runtime now holds for the pod, because it made it so (the
    /// sandbox it ran, the containers it created), so the next step need not list the runtime for it again.
    /// </summary>
    public KnownRuntime? Known { get; init; }
}

/// <summary>
/// What a sync step knows of a pod's runtime state from its own calls (Kubernetes' SyncPod carries its results from
/// one phase to the next the same way instead of listing again): the pod's sandboxes, the newest one's status when read,
/// and the ids of that sandbox's containers.
/// </summary>
/// <param name="Sandboxes">The pod's sandboxes, as a list would give them.</param>
/// <param name="SandboxStatus">The newest sandbox's status, when read.</param>
/// <param name="ContainerIds">The ids of the newest sandbox's containers (none for a sandbox just run).</param>
public sealed record KnownRuntime(IReadOnlyList<PodSandbox> Sandboxes, PodSandboxStatus? SandboxStatus, IReadOnlyList<string> ContainerIds);

/// <summary>
/// Turns pods into CRI calls (Kubernetes' kuberuntime manager): finds a pod's sandbox and containers by the pod uid
/// label, runs the sandbox, then init containers one at a time in order, then native sidecars and app containers;
/// restarts exited containers as the restart policy says, after their CrashLoopBackOff delay
/// (<see cref="ContainerBackoff"/>); kills containers whose liveness or startup probe failed
/// (<see cref="ProbeManager"/>); runs postStart and preStop hooks (<see cref="ContainerLifecycle"/>); stops and removes
/// everything on termination. It works behind <see cref="IContainerRuntime"/>: containerd and the fake runtime look the
/// same to it. What it does is recorded as the kubelet's events in <paramref name="events"/> (Pulling, Pulled, Created,
/// Started, Failed, BackOff, Killing, …; see <see cref="EventReasons"/>).
/// </summary>
public sealed class PodRuntimeManager(IContainerRuntime runtime, string runtimeName, TimeProvider? time = null, ILogger? logger = null, PodConfigs? configs = null, bool simulatedNetwork = false, IEventSink? events = null)
{
    private readonly IEventSink _events = events ?? NullEventSink.Instance;
    private readonly ContainerLifecycle _lifecycle = new(runtime, new HandlerRunner(runtime, time, simulatedNetwork: simulatedNetwork), time ?? TimeProvider.System, logger ?? NullLogger.Instance, events ?? NullEventSink.Instance);
    private readonly PodConfigs _configs = configs ?? new PodConfigs(runtime, PodConfigs.BareNode, null);
    private readonly ImageManager _images = new(runtime, time, events, configs?.Objects);
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>The restart backoff of crashing containers.</summary>
    public ContainerBackoff Backoff => _lifecycle.Backoff;

    /// <summary>The image manager (pulls and their ImagePullBackOff).</summary>
    public ImageManager Images => _images;

    /// <summary>The probe workers and results of the pods this manager runs.</summary>
    public ProbeManager Probes => _lifecycle.Probes;

    /// <summary>The runtime's name (container ids are NAME://ID).</summary>
    public string RuntimeName => runtimeName;

    /// <summary>What the runtime holds for pod <paramref name="podUid"/>: its newest sandbox and that sandbox's containers.</summary>
    public async Task<RuntimePodState> GetStateAsync(string podUid, CancellationToken cancellationToken) =>
        (await StateAsync(await SandboxesAsync(podUid, cancellationToken).ConfigureAwait(false), null, cancellationToken).ConfigureAwait(false)).State;

    // The state of the newest of the pod's sandboxes (as just listed, or as the last step left them) and its containers;
    // what the last step knows (the sandbox's status, its containers' ids) is not asked for again.
    private async Task<(RuntimePodState State, PodSandboxStatus? SandboxStatus)> StateAsync(IReadOnlyList<PodSandbox> sandboxes, KnownRuntime? known, CancellationToken cancellationToken)
    {
        var sandbox = sandboxes.MaxBy(s => s.CreatedAt);
        if (sandbox is null)
        {
            return (RuntimePodState.Empty(runtimeName), null);
        }

        string? ip = null;
        PodSandboxStatus? sandboxStatus = null;
        var ready = sandbox.State == PodSandboxState.SandboxReady;
        if (ready)
        {
            sandboxStatus = known?.SandboxStatus is { } status && status.Id == sandbox.Id
                ? status
                : await runtime.PodSandboxStatusAsync(sandbox.Id, cancellationToken).ConfigureAwait(false);
            ip = string.IsNullOrEmpty(sandboxStatus.Network?.Ip) ? null : sandboxStatus.Network.Ip;
            ready = sandboxStatus.State == PodSandboxState.SandboxReady;
        }

        var ids = known is not null
            ? known.ContainerIds
            : (await runtime.ListContainersAsync(new ContainerFilter { PodSandboxId = sandbox.Id }, cancellationToken).ConfigureAwait(false)).Select(c => c.Id).ToList();
        var containers = new List<RuntimeContainer>();
        foreach (var id in ids)
        {
            ContainerStatus status;
            try
            {
                status = await runtime.ContainerStatusAsync(id, cancellationToken).ConfigureAwait(false);
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
            {
                continue;
            }

            containers.Add(new RuntimeContainer(
                status.Metadata?.Name ?? string.Empty,
                status.Metadata?.Attempt ?? 0,
                status.Id,
                status.State switch
                {
                    ContainerState.ContainerCreated => RuntimeContainerState.Created,
                    ContainerState.ContainerRunning => RuntimeContainerState.Running,
                    ContainerState.ContainerExited => RuntimeContainerState.Exited,
                    _ => RuntimeContainerState.Unknown,
                },
                FromNanos(status.StartedAt),
                FromNanos(status.FinishedAt),
                status.ExitCode,
                status.Reason,
                TerminationMessages.Message(status),
                status.ImageRef));
        }

        return (new RuntimePodState(ready, ready ? ip : null, containers, runtimeName), sandboxStatus);
    }

    /// <summary>
    /// One step toward the pod's spec: a sandbox if none is ready, else the next init container, else every app
    /// container (and sidecar) that should run and does not. Returns whether it changed anything.
    /// </summary>
    public Task<SyncStep> SyncAsync(V1Pod pod, CancellationToken cancellationToken) => SyncAsync(pod, null, cancellationToken);

    /// <summary>
    /// One step as <see cref="SyncAsync(V1Pod, CancellationToken)"/>, starting from what the previous step of the same
    /// sync knew (<see cref="SyncStep.Known"/>) instead of listing the runtime again.
    /// </summary>
    public async Task<SyncStep> SyncAsync(V1Pod pod, KnownRuntime? known, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pod);
        var waiting = new Dictionary<string, ContainerWaiting>();
        var uid = pod.Metadata.Uid;
        var sandboxes = known?.Sandboxes ?? await SandboxesAsync(uid, cancellationToken).ConfigureAwait(false);
        var ready = sandboxes.Where(s => s.State == PodSandboxState.SandboxReady).MaxBy(s => s.CreatedAt);
        var sandboxConfig = _configs.Sandbox(pod, (uint)sandboxes.Count);
        if (await VolumesNotReadyAsync(pod, waiting, cancellationToken).ConfigureAwait(false))
        {
            return new SyncStep(false, waiting);
        }

        if (ready is null)
        {
            // A new sandbox (the first, or after the old one died): old ones go, and containers start again.
            if (sandboxes.Count > 0)
            {
                _events.Pod(pod, EventTypes.Normal, EventReasons.SandboxChanged, "Pod sandbox changed, it will be killed and re-created.");
            }

            foreach (var old in sandboxes)
            {
                await runtime.StopPodSandboxAsync(old.Id, cancellationToken).ConfigureAwait(false);
                await runtime.RemovePodSandboxAsync(old.Id, cancellationToken).ConfigureAwait(false);
            }

            string sandboxId;
            try
            {
                sandboxId = await runtime.RunPodSandboxAsync(sandboxConfig, pod.Spec.RuntimeClassName ?? string.Empty, cancellationToken).ConfigureAwait(false);
            }
            catch (RpcException e) when (e.StatusCode != StatusCode.Cancelled)
            {
                _events.Pod(pod, EventTypes.Warning, EventReasons.FailedCreatePodSandBox, "Failed to create pod sandbox: " + KubeletEvents.RpcError(e));
                throw;
            }

            // The new sandbox is the pod's only one and has no containers yet: the next step reads its status (the
            // pod IP) and lists nothing.
            var sandbox = new PodSandbox
            {
                Id = sandboxId,
                Metadata = sandboxConfig.Metadata.Clone(),
                State = PodSandboxState.SandboxReady,
                CreatedAt = (_time.GetUtcNow() - DateTimeOffset.UnixEpoch).Ticks * 100,
            };
            sandbox.Labels.Add(sandboxConfig.Labels);
            return new SyncStep(true, waiting) { Known = new KnownRuntime([sandbox], null, []) };
        }

        sandboxConfig.Metadata.Attempt = ready.Metadata?.Attempt ?? 0;
        var (state, readyStatus) = await StateAsync(sandboxes, known, cancellationToken).ConfigureAwait(false);
        _configs.Observe(uid, state.PodIP);
        var restartPolicy = pod.Spec.RestartPolicy ?? "Always";

        // Init containers, one at a time and in order; native sidecars start in order with them and keep running.
        foreach (var init in pod.Spec.InitContainers ?? [])
        {
            var sidecar = PodStatusCalculator.IsSidecar(init);
            var latest = state.Latest(init.Name);
            if (latest is null)
            {
                var started = await StartAsync(pod, init, sidecar ? CriLabels.Sidecar : CriLabels.Init, 0, ready.Id, sandboxConfig, waiting, cancellationToken).ConfigureAwait(false);
                return Started(started, waiting, state, Known(sandboxes, readyStatus, state, started));
            }

            switch (latest.State)
            {
                case RuntimeContainerState.Created:
                    await runtime.StartContainerAsync(latest.Id, cancellationToken).ConfigureAwait(false);
                    return new SyncStep(true, waiting) { Known = Known(sandboxes, readyStatus, state) };
                case RuntimeContainerState.Running when await _lifecycle.KillIfProbeFailedAsync(pod, init, latest, state, restartPolicy, cancellationToken).ConfigureAwait(false):
                    return new SyncStep(true, waiting);
                case RuntimeContainerState.Running when sidecar:
                    continue;
                case RuntimeContainerState.Running:
                    // Wait for it to finish.
                    return new SyncStep(false, waiting) { State = state };
                case RuntimeContainerState.Exited when !sidecar && latest.ExitCode == 0:
                    continue;
                case RuntimeContainerState.Exited when !sidecar && restartPolicy == "Never":
                    // A failed init container with restartPolicy Never fails the pod.
                    return new SyncStep(false, waiting) { State = state };
                default:
                    // Exited (failed init container, or a sidecar, restarted whatever the policy) or unknown: run it again.
                    if (_lifecycle.InBackoff(pod, init, latest, waiting) is { } remaining)
                    {
                        return new SyncStep(false, waiting) { ResyncAfter = remaining, State = state };
                    }

                    var restarted = await StartAsync(pod, init, sidecar ? CriLabels.Sidecar : CriLabels.Init, latest.Attempt + 1, ready.Id, sandboxConfig, waiting, cancellationToken).ConfigureAwait(false);
                    return Started(restarted, waiting, state, Known(sandboxes, readyStatus, state, restarted));
            }
        }

        var changed = false;
        // Whether this step only created and started containers: then the next one knows what the runtime holds.
        var onlyStarted = true;
        var created = new List<string>();
        TimeSpan? resync = null;
        foreach (var container in pod.Spec.Containers)
        {
            var latest = state.Latest(container.Name);
            if (latest is null)
            {
                changed |= Add(created, await StartAsync(pod, container, CriLabels.App, 0, ready.Id, sandboxConfig, waiting, cancellationToken).ConfigureAwait(false));
            }
            else if (latest.State == RuntimeContainerState.Created)
            {
                await runtime.StartContainerAsync(latest.Id, cancellationToken).ConfigureAwait(false);
                changed = true;
            }
            else if (latest.State == RuntimeContainerState.Running)
            {
                var killed = await _lifecycle.KillIfProbeFailedAsync(pod, container, latest, state, restartPolicy, cancellationToken).ConfigureAwait(false);
                changed |= killed;
                onlyStarted &= !killed;
            }
            else if (latest.State is RuntimeContainerState.Exited or RuntimeContainerState.Unknown && (ShouldRestart(restartPolicy, latest.ExitCode) || _lifecycle.MustRestart(latest.Id, restartPolicy)))
            {
                // CrashLoopBackOff: the restart waits 10 s after the second exit, doubling up to 5 minutes.
                if (_lifecycle.InBackoff(pod, container, latest, waiting) is { } remaining)
                {
                    resync = resync is { } other && other < remaining ? other : remaining;
                    continue;
                }

                changed |= Add(created, await StartAsync(pod, container, CriLabels.App, latest.Attempt + 1, ready.Id, sandboxConfig, waiting, cancellationToken).ConfigureAwait(false));
            }
        }

        return new SyncStep(changed, waiting)
        {
            ResyncAfter = resync,
            State = changed ? null : state,
            Known = changed && onlyStarted ? Known(sandboxes, readyStatus, state, [.. created]) : null,
        };
    }

    // What the runtime holds after a step that started containers in a sandbox it had read: the same sandboxes and
    // status, the containers it had and the ones it created.
    private static KnownRuntime Known(IReadOnlyList<PodSandbox> sandboxes, PodSandboxStatus? sandboxStatus, RuntimePodState state, params string?[] created) =>
        new(sandboxes, sandboxStatus, [.. state.Containers.Select(c => c.Id), .. created.OfType<string>()]);

    private static SyncStep Started(string? id, Dictionary<string, ContainerWaiting> waiting, RuntimePodState state, KnownRuntime known) =>
        id is null ? new SyncStep(false, waiting) { State = state } : new SyncStep(true, waiting) { Known = known };

    private static bool Add(List<string> created, string? id)
    {
        if (id is not null)
        {
            created.Add(id);
        }

        return id is not null;
    }

    /// <summary>
    /// Stops every container of the pod (app containers first, then sidecars and init containers, each given
    /// <paramref name="gracePeriodSeconds"/>), then its sandboxes. Idempotent.
    /// </summary>
    public Task KillAsync(string podUid, long gracePeriodSeconds, CancellationToken cancellationToken) => KillAsync(podUid, null, gracePeriodSeconds, cancellationToken);

    /// <summary>
    /// Stops every container of <paramref name="pod"/> as <see cref="KillAsync(string, long, CancellationToken)"/>, running
    /// each container's preStop hook first within the grace period (the time it takes is taken from the grace period,
    /// leaving at least 2 s).
    /// </summary>
    public Task KillAsync(V1Pod pod, long gracePeriodSeconds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pod);
        return KillAsync(pod.Metadata.Uid, pod, gracePeriodSeconds, cancellationToken);
    }

    private async Task KillAsync(string podUid, V1Pod? pod, long gracePeriodSeconds, CancellationToken cancellationToken)
    {
        var sandboxes = await SandboxesAsync(podUid, cancellationToken).ConfigureAwait(false);
        var podIP = pod is not null && sandboxes.Count > 0 ? (await GetStateAsync(podUid, cancellationToken).ConfigureAwait(false)).PodIP : null;
        foreach (var sandbox in sandboxes)
        {
            var containers = await runtime.ListContainersAsync(new ContainerFilter { PodSandboxId = sandbox.Id }, cancellationToken).ConfigureAwait(false);
            var running = containers.Where(c => c.State is ContainerState.ContainerRunning or ContainerState.ContainerCreated)
                .OrderBy(c => c.Labels.TryGetValue(CriLabels.ContainerKind, out var kind) && kind != CriLabels.App ? 1 : 0)
                .ToList();
            await Task.WhenAll(running.Where(c => !IsKind(c, CriLabels.Sidecar)).Select(c => _lifecycle.StopAsync(pod, c, podIP, gracePeriodSeconds, cancellationToken))).ConfigureAwait(false);
            // Native sidecars stop after the app containers, in reverse order.
            foreach (var sidecar in running.Where(c => IsKind(c, CriLabels.Sidecar)).Reverse())
            {
                await _lifecycle.StopAsync(pod, sidecar, podIP, gracePeriodSeconds, cancellationToken).ConfigureAwait(false);
            }

            await runtime.StopPodSandboxAsync(sandbox.Id, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Forgets what the manager keeps about a pod that terminated or is gone (probe workers, restart and image pull backoffs).</summary>
    public void Forget(string podUid)
    {
        _lifecycle.Forget(podUid);
        _images.Forget(podUid);
    }

    /// <summary>Removes the pod's sandboxes and containers from the runtime. Idempotent.</summary>
    public async Task RemoveAsync(string podUid, CancellationToken cancellationToken)
    {
        foreach (var sandbox in await SandboxesAsync(podUid, cancellationToken).ConfigureAwait(false))
        {
            await runtime.StopPodSandboxAsync(sandbox.Id, cancellationToken).ConfigureAwait(false);
            await runtime.RemovePodSandboxAsync(sandbox.Id, cancellationToken).ConfigureAwait(false);
        }

        await _configs.ForgetAsync(podUid, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sets up the pod's volumes, or writes their changed contents (config maps, secrets, tokens) again.</summary>
    public Task RefreshVolumesAsync(V1Pod pod, CancellationToken cancellationToken) => _configs.SetUpVolumesAsync(pod, refresh: true, cancellationToken);

    /// <summary>Restart policy: Always restarts anything; OnFailure a non-zero exit; Never nothing.</summary>
    public static bool ShouldRestart(string restartPolicy, int exitCode) => restartPolicy switch
    {
        "Never" => false,
        "OnFailure" => exitCode != 0,
        _ => true,
    };

    private static bool IsKind(Container container, string kind) => container.Labels.TryGetValue(CriLabels.ContainerKind, out var value) && value == kind;

    private static DateTime? FromNanos(long nanos) => nanos <= 0 ? null : DateTime.UnixEpoch.AddTicks(nanos / 100);

    private async Task<IReadOnlyList<PodSandbox>> SandboxesAsync(string podUid, CancellationToken cancellationToken) =>
        await runtime.ListPodSandboxAsync(new PodSandboxFilter { LabelSelector = { [CriLabels.PodUid] = podUid } }, cancellationToken).ConfigureAwait(false);

    // Makes sure the image is there (ImageManager), then creates and starts the container and returns its id; null (with
    // a waiting reason) when the image is not there or the container could not be created.
    private async Task<string?> StartAsync(V1Pod pod, V1Container container, string kind, uint attempt, string sandboxId, PodSandboxConfig sandboxConfig, Dictionary<string, ContainerWaiting> waiting, CancellationToken cancellationToken)
    {
        if (await _images.EnsureImageAsync(pod, container, sandboxConfig, cancellationToken).ConfigureAwait(false) is { } imageError)
        {
            waiting[container.Name] = imageError;
            return null;
        }

        ContainerConfig config;
        try
        {
            config = await _configs.ContainerAsync(pod, container, kind, attempt, cancellationToken).ConfigureAwait(false);
        }
        catch (ContainerConfigException e)
        {
            _events.Container(pod, container.Name, EventTypes.Warning, EventReasons.Failed, "Error: " + e.Message);
            waiting[container.Name] = new ContainerWaiting(ContainerConfigException.Reason, e.Message);
            return null;
        }

        var id = string.Empty;
        var createError = _configs.CreateError(config);
        if (createError is null)
        {
            try
            {
                id = await runtime.CreateContainerAsync(sandboxId, config, sandboxConfig, cancellationToken).ConfigureAwait(false);
            }
            catch (RpcException e) when (!cancellationToken.IsCancellationRequested)
            {
                createError = e.Status.Detail;
            }
        }

        if (createError is not null)
        {
            // As the kubelet: the runtime's message, reason CreateContainerError; the next sync tries again.
            _events.Container(pod, container.Name, EventTypes.Warning, EventReasons.Failed, "Error: " + createError);
            waiting[container.Name] = new ContainerWaiting("CreateContainerError", createError);
            return null;
        }

        _events.Container(pod, container.Name, EventTypes.Normal, EventReasons.Created, $"Created container: {container.Name}");
        try
        {
            await runtime.StartContainerAsync(id, cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException e) when (e.StatusCode != StatusCode.Cancelled)
        {
            _events.Container(pod, container.Name, EventTypes.Warning, EventReasons.Failed, "Error: " + e.Status.Detail);
            throw;
        }

        _events.Container(pod, container.Name, EventTypes.Normal, EventReasons.Started, $"Started container {container.Name}");
        await _lifecycle.PostStartAsync(pod, container, id, sandboxId, waiting, cancellationToken).ConfigureAwait(false);
        return id;
    }

    // Containers are not created before the pod's volumes are set up: until then they wait (ContainerCreating, with why).
    private async Task<bool> VolumesNotReadyAsync(V1Pod pod, Dictionary<string, ContainerWaiting> waiting, CancellationToken cancellationToken)
    {
        if (await _configs.SetUpVolumesAsync(pod, refresh: false, cancellationToken).ConfigureAwait(false) is not { } error)
        {
            return false;
        }

        _events.Pod(pod, EventTypes.Warning, EventReasons.FailedMount, error);
        foreach (var container in (pod.Spec.InitContainers ?? []).Concat(pod.Spec.Containers))
        {
            waiting[container.Name] = new ContainerWaiting("ContainerCreating", error);
        }

        return true;
    }
}
