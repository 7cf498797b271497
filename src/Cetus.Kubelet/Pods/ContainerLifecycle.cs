using System.Globalization;
using Cetus.Client.Events;
using Cetus.Cri;
using Cetus.Kubelet.Events;
using Cetus.Kubelet.Probes;
using Cetus.Kubelet.Status;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Cetus.Kubelet.Pods;

/// <summary>
/// What happens around a container's start and stop, as Kubernetes' kuberuntime_container.go: the postStart hook
/// right after StartContainer (a failure kills the container: waiting reason PostStartHookError, event reason
/// FailedPostStartHook), the preStop hook before StopContainer (its time is taken from the grace period, leaving at
/// least 2 s: minimumGracePeriodInSeconds), the kill of a container whose liveness or startup probe failed (with the
/// probe's or the pod's grace period), and the CrashLoopBackOff check before a restart (doBackOff), each recorded as
/// upstream's events (Killing, FailedPostStartHook, FailedPreStopHook, BackOff; the hooks' output is not put in
/// events, as upstream, so that no secret leaks into them).
/// </summary>
internal sealed class ContainerLifecycle(IContainerRuntime runtime, HandlerRunner runner, TimeProvider time, ILogger logger, IEventSink events)
{
    /// <summary>The least grace period a container is stopped with after its preStop hook (upstream's minimumGracePeriodInSeconds).</summary>
    public const long MinimumGracePeriodSeconds = 2;

    // Container instances the kubelet killed (failed probe or postStart hook), by id, with their pod uid: they restart
    // unless the pod's restartPolicy is Never, whatever their exit code.
    private readonly Dictionary<string, string> _killed = [];

    public ContainerBackoff Backoff { get; } = new(time);

    public ProbeManager Probes { get; } = new(runner, time, logger, events);

    /// <summary>True when the kubelet killed the instance and the restart policy lets it start again.</summary>
    public bool MustRestart(string containerId, string restartPolicy)
    {
        lock (_killed)
        {
            return restartPolicy != "Never" && _killed.ContainsKey(containerId);
        }
    }

    /// <summary>
    /// When a restart of <paramref name="container"/> must wait, how long (and its waiting reason CrashLoopBackOff
    /// goes into <paramref name="waiting"/>); null when it may restart now (the restart is then counted).
    /// </summary>
    public TimeSpan? InBackoff(V1Pod pod, V1Container container, RuntimeContainer latest, Dictionary<string, ContainerWaiting> waiting)
    {
        var meta = pod.Metadata;
        var key = ContainerBackoff.Key(meta.Uid, container.Name);
        var finishedAt = latest.FinishedAt ?? time.GetUtcNow().UtcDateTime;
        if (Backoff.IsInBackOffSince(key, finishedAt, out var remaining))
        {
            var message = $"back-off {ContainerBackoff.GoDuration(Backoff.Get(key))} restarting failed container={container.Name} pod={meta.Name}_{meta.NamespaceProperty}({meta.Uid})";
            waiting[container.Name] = new ContainerWaiting("CrashLoopBackOff", message);
            events.Container(pod, container.Name, EventTypes.Warning, EventReasons.BackOff, $"Back-off restarting failed container {container.Name} in pod {meta.Name}_{meta.NamespaceProperty}({meta.Uid})");
            return remaining;
        }

        Backoff.Next(key, finishedAt);
        return null;
    }

    /// <summary>Kills a running container whose liveness or startup probe failed; true when it did.</summary>
    public async Task<bool> KillIfProbeFailedAsync(V1Pod pod, V1Container container, RuntimeContainer latest, RuntimePodState state, string restartPolicy, CancellationToken cancellationToken)
    {
        if (!Probes.Failed(latest.Id, out var kind))
        {
            return false;
        }

        var restart = restartPolicy != "Never" || PodStatusCalculator.IsSidecar(container);
        var probe = kind == ProbeKind.Liveness ? container.LivenessProbe : container.StartupProbe;
        var grace = probe?.TerminationGracePeriodSeconds ?? pod.Spec.TerminationGracePeriodSeconds ?? 30;
        logger.LogInformation(
            "Container {Container} failed {Kind} probe{Restart} (pod {Namespace}/{Name})",
            container.Name,
            kind.ToString().ToLowerInvariant(),
            restart ? ", will be restarted" : string.Empty,
            pod.Metadata.NamespaceProperty,
            pod.Metadata.Name);
        Remember(latest.Id, pod.Metadata.Uid);
        var message = $"Container {container.Name} failed {kind.ToString().ToLowerInvariant()} probe{(restart ? ", will be restarted" : string.Empty)}";
        await KillContainerAsync(pod, container, latest.Id, state.PodIP, grace, message, cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>Runs the container's postStart hook, if any; on failure kills the container (waiting reason PostStartHookError).</summary>
    public async Task PostStartAsync(V1Pod pod, V1Container container, string containerId, string sandboxId, Dictionary<string, ContainerWaiting> waiting, CancellationToken cancellationToken)
    {
        if (container.Lifecycle?.PostStart is not { } hook)
        {
            return;
        }

        var podIP = await PodIPAsync(hook, sandboxId, cancellationToken).ConfigureAwait(false);
        var result = await runner.HookAsync(hook, container, podIP, containerId, Timeout.InfiniteTimeSpan, cancellationToken).ConfigureAwait(false);
        if (result.Success)
        {
            return;
        }

        logger.LogWarning("FailedPostStartHook: container {Container} of pod {Namespace}/{Name}: {Message}", container.Name, pod.Metadata.NamespaceProperty, pod.Metadata.Name, result.Message);
        waiting[container.Name] = new ContainerWaiting("PostStartHookError", result.Message);
        events.Container(pod, container.Name, EventTypes.Warning, EventReasons.FailedPostStartHook, "PostStartHook failed");
        Remember(containerId, pod.Metadata.Uid);
        await KillContainerAsync(pod, container, containerId, podIP, pod.Spec.TerminationGracePeriodSeconds ?? 30, "FailedPostStartHook", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stops a container of the pod, after its preStop hook when it runs and the pod spec (when known) has one.</summary>
    public Task StopAsync(V1Pod? pod, Cetus.Cri.V1.Container container, string? podIP, long gracePeriodSeconds, CancellationToken cancellationToken)
    {
        var name = container.Metadata?.Name;
        var spec = pod is null ? null : (pod.Spec.InitContainers ?? []).Concat(pod.Spec.Containers ?? []).FirstOrDefault(c => c.Name == name);
        // Only a running container runs its hook (a created one never started).
        return pod is null || spec is null || container.State != Cetus.Cri.V1.ContainerState.ContainerRunning
            ? runtime.StopContainerAsync(container.Id, gracePeriodSeconds, cancellationToken)
            : KillContainerAsync(pod, spec, container.Id, podIP, gracePeriodSeconds, $"Stopping container {spec.Name}", cancellationToken);
    }

    /// <summary>Forgets a pod: its probe workers, backoff entries and killed instances; collects expired backoff entries.</summary>
    public void Forget(string podUid)
    {
        Probes.Remove(podUid);
        Backoff.Forget(podUid);
        Backoff.Collect();
        lock (_killed)
        {
            foreach (var id in _killed.Where(k => k.Value == podUid).Select(k => k.Key).ToList())
            {
                _killed.Remove(id);
            }
        }
    }

    // killContainer: the Killing event, the preStop hook within the grace period, then StopContainer with what is left (at least 2 s).
    private async Task KillContainerAsync(V1Pod pod, V1Container container, string containerId, string? podIP, long gracePeriodSeconds, string message, CancellationToken cancellationToken)
    {
        events.Container(pod, container.Name, EventTypes.Normal, EventReasons.Killing, message);
        if (container.Lifecycle?.PreStop is { } hook && gracePeriodSeconds > 0)
        {
            var started = time.GetTimestamp();
            var result = await runner.HookAsync(hook, container, podIP, containerId, TimeSpan.FromSeconds(gracePeriodSeconds), cancellationToken).ConfigureAwait(false);
            if (!result.Success)
            {
                logger.LogWarning("FailedPreStopHook: container {Container} of pod {Namespace}/{Name}: {Message}", container.Name, pod.Metadata.NamespaceProperty, pod.Metadata.Name, result.Message);
                events.Container(pod, container.Name, EventTypes.Warning, EventReasons.FailedPreStopHook, "PreStopHook failed");
            }

            var elapsed = (long)time.GetElapsedTime(started).TotalSeconds;
            gracePeriodSeconds = Math.Max(gracePeriodSeconds - elapsed, MinimumGracePeriodSeconds);
            logger.LogDebug("preStop hook of container {Container} took {Elapsed}s; stopping with {Grace}s", container.Name, elapsed.ToString(CultureInfo.InvariantCulture), gracePeriodSeconds);
        }
        else if (gracePeriodSeconds > 0 && gracePeriodSeconds < MinimumGracePeriodSeconds)
        {
            gracePeriodSeconds = MinimumGracePeriodSeconds;
        }

        await runtime.StopContainerAsync(containerId, gracePeriodSeconds, cancellationToken).ConfigureAwait(false);
    }

    private async Task<string?> PodIPAsync(V1LifecycleHandler hook, string sandboxId, CancellationToken cancellationToken)
    {
        if (hook.HttpGet is null || !string.IsNullOrEmpty(hook.HttpGet.Host))
        {
            return null;
        }

        var status = await runtime.PodSandboxStatusAsync(sandboxId, cancellationToken).ConfigureAwait(false);
        return string.IsNullOrEmpty(status.Network?.Ip) ? null : status.Network.Ip;
    }

    private void Remember(string containerId, string podUid)
    {
        lock (_killed)
        {
            _killed[containerId] = podUid;
        }
    }
}
