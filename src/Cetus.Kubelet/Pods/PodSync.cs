using Cetus.Kubelet.Api;
using Cetus.Kubelet.Status;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cetus.Kubelet.Pods;

/// <summary>What a pod worker should do next.</summary>
public enum PodSyncResult
{
    /// <summary>The pod runs (or waits); sync again on the next change.</summary>
    Running,

    /// <summary>The pod finished or was deleted and its worker can go.</summary>
    Terminated,
}

/// <summary>What one sync of a pod gave.</summary>
/// <param name="Result">What the worker should do next.</param>
/// <param name="ResyncAfter">When set, sync the pod again after this long (a container waits out its restart backoff).</param>
public sealed record PodSyncOutcome(PodSyncResult Result, TimeSpan? ResyncAfter = null);

/// <summary>
/// The sync of one pod (Kubernetes' kubelet SyncPod / SyncTerminatingPod): converges the runtime toward the pod,
/// computes its status and writes it; on graceful deletion stops the containers, writes the final status, removes
/// the sandbox and deletes the pod object with grace period 0 (uid precondition), which ends the deletion.
/// </summary>
public sealed class PodSync(PodRuntimeManager runtime, PodStatusManager statuses, IKubeletClient client, string hostIP, TimeProvider? time = null, ILogger? logger = null, IReadOnlyList<IPodAdmitHandler>? admitHandlers = null)
{
    /// <summary>
    /// A running pod is synced at least this often even when nothing changes (the kubelet's syncFrequency, 1 minute):
    /// its volumes are refreshed then (changed ConfigMaps and Secrets, a service-account token nearing expiry).
    /// </summary>
    public static readonly TimeSpan SyncFrequency = TimeSpan.FromMinutes(1);

    // A sync keeps stepping while steps change the runtime (sandbox → init containers → app containers), within reason.
    private const int MaxSteps = 16;
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly ILogger _logger = logger ?? NullLogger.Instance;

    /// <summary>The probe workers of the pods synced here (their result changes call for a sync).</summary>
    public Probes.ProbeManager Probes => runtime.Probes;

    /// <summary>Syncs a pod that the API server still has.</summary>
    public async Task<PodSyncResult> SyncAsync(V1Pod pod, CancellationToken cancellationToken) =>
        (await SyncPodAsync(pod, cancellationToken).ConfigureAwait(false)).Result;

    /// <summary>Syncs a pod that the API server still has; says when to sync it again if nothing else changes.</summary>
    public async Task<PodSyncOutcome> SyncPodAsync(V1Pod pod, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pod);
        var uid = pod.Metadata.Uid;
        if (pod.Metadata.DeletionTimestamp is not null)
        {
            await TerminateAsync(pod, cancellationToken).ConfigureAwait(false);
            return new PodSyncOutcome(PodSyncResult.Terminated);
        }

        if (pod.Status?.Phase is "Succeeded" or "Failed")
        {
            // Finished for good: nothing runs again; the sandbox is stopped (and removed with the pod).
            runtime.Forget(uid);
            await runtime.KillAsync(uid, 0, cancellationToken).ConfigureAwait(false);
            return new PodSyncOutcome(PodSyncResult.Running);
        }

        if (await PodAdmissions.RejectAsync(pod, admitHandlers, client, _logger, cancellationToken).ConfigureAwait(false))
        {
            return new PodSyncOutcome(PodSyncResult.Running);
        }

        await runtime.RefreshVolumesAsync(pod, cancellationToken).ConfigureAwait(false);
        IReadOnlyDictionary<string, ContainerWaiting> waiting = new Dictionary<string, ContainerWaiting>();
        TimeSpan? resync = null;
        RuntimePodState? observed = null;
        KnownRuntime? known = null;
        for (var step = 0; step < MaxSteps; step++)
        {
            // Each step starts from what the one before it made (a sandbox run, containers started) rather than a list.
            var result = await runtime.SyncAsync(pod, known, cancellationToken).ConfigureAwait(false);
            known = result.Known;
            waiting = result.Waiting;
            resync = result.ResyncAfter;
            if (!result.Changed)
            {
                // The step that changed nothing read the runtime as it is: no need to list it again.
                observed = result.State;
                break;
            }
        }

        var state = observed ?? await runtime.GetStateAsync(uid, cancellationToken).ConfigureAwait(false);
        // Probe workers follow the running containers; their results decide started and ready.
        runtime.Probes.Sync(pod, state);
        var status = PodStatusCalculator.Compute(pod, state, waiting, hostIP, _time.GetUtcNow().UtcDateTime, podIsTerminal: false, runtime.Probes.View(pod, state));
        if (status.Phase is "Succeeded" or "Failed")
        {
            // Ran to completion: stop the sandbox and report the final state.
            runtime.Forget(uid);
            await runtime.KillAsync(uid, 0, cancellationToken).ConfigureAwait(false);
            state = await runtime.GetStateAsync(uid, cancellationToken).ConfigureAwait(false);
            status = PodStatusCalculator.Compute(pod, state, waiting, hostIP, _time.GetUtcNow().UtcDateTime, podIsTerminal: true);
            resync = null;
        }
        else if (resync is null || resync > SyncFrequency)
        {
            resync = SyncFrequency;
        }

        await WriteStatusAsync(pod, status, cancellationToken).ConfigureAwait(false);
        return new PodSyncOutcome(PodSyncResult.Running, resync);
    }

    /// <summary>Cleans up after a pod the API server no longer has (deleted with grace 0 by someone else).</summary>
    public async Task ForgetAsync(string podUid, CancellationToken cancellationToken)
    {
        runtime.Forget(podUid);
        await runtime.KillAsync(podUid, 0, cancellationToken).ConfigureAwait(false);
        await runtime.RemoveAsync(podUid, cancellationToken).ConfigureAwait(false);
    }

    private async Task TerminateAsync(V1Pod pod, CancellationToken cancellationToken)
    {
        var uid = pod.Metadata.Uid;
        var grace = pod.Metadata.DeletionGracePeriodSeconds ?? pod.Spec.TerminationGracePeriodSeconds ?? 30;
        runtime.Probes.Remove(uid);
        await runtime.KillAsync(pod, grace, cancellationToken).ConfigureAwait(false);
        runtime.Forget(uid);
        var state = await runtime.GetStateAsync(uid, cancellationToken).ConfigureAwait(false);
        var status = PodStatusCalculator.Compute(pod, state, new Dictionary<string, ContainerWaiting>(), hostIP, _time.GetUtcNow().UtcDateTime, podIsTerminal: true);
        await WriteStatusAsync(pod, status, cancellationToken).ConfigureAwait(false);
        await runtime.RemoveAsync(uid, cancellationToken).ConfigureAwait(false);
        await client.DeletePodAsync(pod.Metadata.NamespaceProperty, pod.Metadata.Name, uid, cancellationToken).ConfigureAwait(false);
        _logger.LogDebug("pod {Namespace}/{Name} terminated and deleted", pod.Metadata.NamespaceProperty, pod.Metadata.Name);
    }

    private async Task WriteStatusAsync(V1Pod pod, V1PodStatus status, CancellationToken cancellationToken)
    {
        try
        {
            await statuses.WriteAsync(pod, status, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (ApiErrors.IsNotFound(e))
        {
            // Deleted meanwhile: the informer will say so.
        }
    }
}
