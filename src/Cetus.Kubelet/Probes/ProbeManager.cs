using Cetus.Client.Events;
using Cetus.Kubelet.Events;
using Cetus.Kubelet.Status;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cetus.Kubelet.Probes;

/// <summary>The three kinds of probe.</summary>
public enum ProbeKind
{
    /// <summary>Failure kills and restarts the container.</summary>
    Liveness,

    /// <summary>Decides the container's <c>ready</c>.</summary>
    Readiness,

    /// <summary>Gates liveness and readiness; failure kills and restarts the container.</summary>
    Startup,
}

/// <summary>A probe's current result.</summary>
public enum ProbeResult
{
    /// <summary>Not decided yet.</summary>
    Unknown,

    /// <summary>Succeeded (successThreshold times in a row).</summary>
    Success,

    /// <summary>Failed (failureThreshold times in a row).</summary>
    Failure,
}

/// <summary>
/// The kubelet's prober manager (pkg/kubelet/prober): one worker per running container and probe kind, started when
/// the container runs and stopped when it exits or the pod goes. A worker waits initialDelaySeconds after the
/// container started, then probes every periodSeconds (default 10) with timeoutSeconds (default 1); a result changes
/// after successThreshold successes or failureThreshold (default 3) failures in a row. Readiness starts as Failure,
/// liveness as Success, startup as Unknown; liveness and readiness do not run before the startup probe succeeded; a
/// startup probe stops once it succeeded; liveness and startup stop after a failure (the container is killed; its
/// next instance gets new workers). Every result change raises <see cref="Changed"/> with the pod uid, so that the
/// pod is synced (status written, container killed). Waits use the injected <see cref="TimeProvider"/>. Every failed
/// probe is recorded as a Warning event <c>Unhealthy</c> ("Liveness probe failed: …"), a success with a warning (a
/// redirect to another host) as <c>ProbeWarning</c>, as upstream's prober.
/// </summary>
public sealed class ProbeManager(HandlerRunner runner, TimeProvider? time = null, ILogger? logger = null, IEventSink? events = null)
{
    private readonly IEventSink _events = events ?? NullEventSink.Instance;
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly ILogger _logger = logger ?? NullLogger.Instance;
    private readonly Dictionary<(string Uid, string Name, ProbeKind Kind), Worker> _workers = [];
    private readonly Dictionary<(string ContainerId, ProbeKind Kind), ProbeResult> _results = [];

    /// <summary>A probe result of a pod changed (the argument is the pod's uid).</summary>
    public event Action<string>? Changed;

    /// <summary>The number of running workers (tests).</summary>
    public int WorkerCount
    {
        get
        {
            lock (_workers)
            {
                return _workers.Count;
            }
        }
    }

    /// <summary>The result of <paramref name="kind"/> for container instance <paramref name="containerId"/>.</summary>
    public ProbeResult Result(string containerId, ProbeKind kind)
    {
        lock (_workers)
        {
            return _results.TryGetValue((containerId, kind), out var result) ? result : ProbeResult.Unknown;
        }
    }

    /// <summary>
    /// Starts a worker for each probe of each running container of <paramref name="pod"/> (app containers and native
    /// sidecars) that has none for this container instance, and stops the workers of containers no longer running.
    /// </summary>
    public void Sync(V1Pod pod, RuntimePodState state)
    {
        ArgumentNullException.ThrowIfNull(pod);
        ArgumentNullException.ThrowIfNull(state);
        var uid = pod.Metadata.Uid;
        var wanted = new Dictionary<(string, string, ProbeKind), (V1Container Container, V1Probe Probe, Cetus.Kubelet.Status.RuntimeContainer Instance)>();
        foreach (var container in Probed(pod))
        {
            if (state.Latest(container.Name) is not { State: RuntimeContainerState.Running } latest)
            {
                continue;
            }

            foreach (var (kind, probe) in Probes(container))
            {
                wanted[(uid, container.Name, kind)] = (container, probe, latest);
            }
        }

        lock (_workers)
        {
            foreach (var (key, worker) in _workers.Where(w => w.Key.Uid == uid).ToList())
            {
                if (!wanted.TryGetValue(key, out var want) || want.Instance.Id != worker.ContainerId)
                {
                    StopLocked(key, worker);
                }
            }

            foreach (var (key, want) in wanted)
            {
                if (_workers.ContainsKey(key))
                {
                    continue;
                }

                var worker = new Worker(pod, want.Container, want.Probe, key.Item3, want.Instance.Id, want.Instance.StartedAt ?? _time.GetUtcNow().UtcDateTime, state.PodIP);
                _workers[key] = worker;
                _results[(worker.ContainerId, worker.Kind)] = worker.Kind switch
                {
                    ProbeKind.Readiness => ProbeResult.Failure,
                    ProbeKind.Liveness => ProbeResult.Success,
                    _ => ProbeResult.Unknown,
                };
                worker.Task = Task.Run(() => RunAsync(worker));
            }
        }
    }

    /// <summary>Stops every worker of a pod and forgets its results (the pod terminates or is gone).</summary>
    public void Remove(string podUid)
    {
        lock (_workers)
        {
            foreach (var (key, worker) in _workers.Where(w => w.Key.Uid == podUid).ToList())
            {
                StopLocked(key, worker);
            }
        }
    }

    /// <summary>
    /// The probe view of each running container of the pod: started and ready as the results say, for the instance
    /// the results are about (a container whose workers have not started yet is not started when it has a startup
    /// probe, and not ready when it has a readiness probe — as upstream).
    /// </summary>
    public IReadOnlyDictionary<string, ContainerProbeView> View(V1Pod pod, RuntimePodState state)
    {
        ArgumentNullException.ThrowIfNull(pod);
        ArgumentNullException.ThrowIfNull(state);
        var views = new Dictionary<string, ContainerProbeView>();
        foreach (var container in Probed(pod))
        {
            if (state.Latest(container.Name) is not { State: RuntimeContainerState.Running } latest)
            {
                continue;
            }

            var started = container.StartupProbe is null || Result(latest.Id, ProbeKind.Startup) == ProbeResult.Success;
            var ready = started && (container.ReadinessProbe is null || Result(latest.Id, ProbeKind.Readiness) == ProbeResult.Success);
            views[container.Name] = new ContainerProbeView(latest.Id, started, ready);
        }

        return views;
    }

    /// <summary>True (with the kind) when the liveness or startup probe of container instance <paramref name="containerId"/> failed.</summary>
    public bool Failed(string containerId, out ProbeKind kind)
    {
        lock (_workers)
        {
            foreach (var candidate in (ProbeKind[])[ProbeKind.Liveness, ProbeKind.Startup])
            {
                if (_results.TryGetValue((containerId, candidate), out var result) && result == ProbeResult.Failure)
                {
                    kind = candidate;
                    return true;
                }
            }
        }

        kind = default;
        return false;
    }

    private static IEnumerable<V1Container> Probed(V1Pod pod) =>
        (pod.Spec.InitContainers ?? []).Where(PodStatusCalculator.IsSidecar).Concat(pod.Spec.Containers ?? []);

    private static IEnumerable<(ProbeKind, V1Probe)> Probes(V1Container container)
    {
        if (container.StartupProbe is { } startup)
        {
            yield return (ProbeKind.Startup, startup);
        }

        if (container.LivenessProbe is { } liveness)
        {
            yield return (ProbeKind.Liveness, liveness);
        }

        if (container.ReadinessProbe is { } readiness)
        {
            yield return (ProbeKind.Readiness, readiness);
        }
    }

    private void StopLocked((string, string, ProbeKind) key, Worker worker)
    {
        worker.Stop.Cancel();
        _workers.Remove(key);
        _results.Remove((worker.ContainerId, worker.Kind));
    }

    private async Task RunAsync(Worker worker)
    {
        var token = worker.Stop.Token;
        var probe = worker.Probe;
        var period = TimeSpan.FromSeconds(Math.Max(1, probe.PeriodSeconds ?? 10));
        var successThreshold = Math.Max(1, probe.SuccessThreshold ?? 1);
        var failureThreshold = Math.Max(1, probe.FailureThreshold ?? 3);
        try
        {
            var firstAt = worker.StartedAt + TimeSpan.FromSeconds(Math.Max(0, probe.InitialDelaySeconds ?? 0));
            var untilFirst = firstAt - _time.GetUtcNow().UtcDateTime;
            if (untilFirst > TimeSpan.Zero)
            {
                await Task.Delay(untilFirst, _time, token).ConfigureAwait(false);
            }

            var last = ProbeResult.Unknown;
            var run = 0;
            while (!token.IsCancellationRequested)
            {
                if (worker.Kind != ProbeKind.Startup && worker.Container.StartupProbe is not null && Result(worker.ContainerId, ProbeKind.Startup) != ProbeResult.Success)
                {
                    // Liveness and readiness wait for the startup probe.
                    await Task.Delay(period, _time, token).ConfigureAwait(false);
                    continue;
                }

                var outcome = await runner.ProbeAsync(probe, worker.Container, worker.PodIP, worker.ContainerId, token).ConfigureAwait(false);
                var result = outcome.Success ? ProbeResult.Success : ProbeResult.Failure;
                run = result == last ? run + 1 : 1;
                last = result;
                if (!outcome.Success)
                {
                    _logger.LogDebug("{Kind} probe of container {Container} of pod {Namespace}/{Name} failed: {Message}", worker.Kind, worker.Container.Name, worker.Pod.Metadata.NamespaceProperty, worker.Pod.Metadata.Name, outcome.Message);
                    _events.Container(worker.Pod, worker.Container.Name, EventTypes.Warning, EventReasons.Unhealthy, $"{worker.Kind} probe failed: {outcome.Message}");
                }
                else if (outcome.Message.Length > 0)
                {
                    _events.Container(worker.Pod, worker.Container.Name, EventTypes.Warning, EventReasons.ProbeWarning, $"{worker.Kind} probe warning: {outcome.Message}");
                }

                if (run >= (result == ProbeResult.Success ? successThreshold : failureThreshold) && Set(worker, result))
                {
                    if (result == ProbeResult.Failure && worker.Kind != ProbeKind.Readiness)
                    {
                        _logger.LogInformation("Container {Container} of pod {Namespace}/{Name} failed {Kind} probe: {Message}", worker.Container.Name, worker.Pod.Metadata.NamespaceProperty, worker.Pod.Metadata.Name, worker.Kind.ToString().ToLowerInvariant(), outcome.Message);
                    }

                    Changed?.Invoke(worker.Pod.Metadata.Uid);
                }

                if ((worker.Kind == ProbeKind.Startup && result == ProbeResult.Success && run >= successThreshold)
                    || (worker.Kind != ProbeKind.Readiness && result == ProbeResult.Failure && run >= failureThreshold))
                {
                    // A startup probe is done once it succeeded; after a liveness or startup failure the container is
                    // killed, and its next instance gets a new worker.
                    return;
                }

                await Task.Delay(period, _time, token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            _logger.LogWarning(e, "{Kind} probe worker of container {Container} failed", worker.Kind, worker.Container.Name);
        }
    }

    // Records a result of a worker still current; true when it changed.
    private bool Set(Worker worker, ProbeResult result)
    {
        lock (_workers)
        {
            if (worker.Stop.IsCancellationRequested)
            {
                return false;
            }

            var key = (worker.ContainerId, worker.Kind);
            if (_results.TryGetValue(key, out var before) && before == result)
            {
                return false;
            }

            _results[key] = result;
            return true;
        }
    }

    private sealed class Worker(V1Pod pod, V1Container container, V1Probe probe, ProbeKind kind, string containerId, DateTime startedAt, string? podIP)
    {
        public V1Pod Pod { get; } = pod;

        public V1Container Container { get; } = container;

        public V1Probe Probe { get; } = probe;

        public ProbeKind Kind { get; } = kind;

        public string ContainerId { get; } = containerId;

        public DateTime StartedAt { get; } = startedAt;

        public string? PodIP { get; } = podIP;

        public CancellationTokenSource Stop { get; } = new();

        public Task? Task { get; set; }
    }
}
