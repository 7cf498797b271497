using Cetus.Api.Validation;
using Cetus.Client;
using Cetus.Client.Events;
using Cetus.Client.Informers;
using Cetus.Controllers.Common;
using k8s;
using k8s.Models;

namespace Cetus.Controllers.ReplicaSet;

public sealed partial class ReplicaSetController
{
    /// <summary>
    /// Syncs one ReplicaSet: claims its pods, creates or deletes pods when the expectations of the last sync have been
    /// seen, and writes status. Idempotent; reads only the caches.
    /// </summary>
    public async Task SyncAsync(string key, CancellationToken cancellationToken)
    {
        var cached = _replicaSets.Get(key);
        if (cached is null)
        {
            Expectations.Delete(key);
            return;
        }

        var rsNeedsSync = Expectations.Satisfied(key);
        var rs = Objects.Clone(cached);
        if (rs.Spec?.Selector is null || LabelSelectors.IsEmpty(rs.Spec.Selector))
        {
            return;
        }

        var ns = rs.Metadata.NamespaceProperty;
        var candidates = _pods.ByNamespace(ns).Where(PodConditions.IsActive);
        var pods = await ControllerRefManager.ClaimAsync(
            rs,
            ApiVersion,
            Kind,
            rs.Spec!.Selector,
            candidates,
            async (pod, patch, ct) => await _client.PatchPodAsync(ns, pod.Metadata.Name, patch, ct).ConfigureAwait(false),
            cancellationToken).ConfigureAwait(false);

        Exception? manageError = null;
        if (rsNeedsSync && rs.Metadata.DeletionTimestamp is null)
        {
            try
            {
                await ManageReplicasAsync(pods, rs, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                manageError = e;
            }
        }

        var status = ReplicaSetStatusCalculator.Calculate(rs, pods, manageError, _time.GetUtcNow());
        var updated = await UpdateStatusAsync(rs, status, cancellationToken).ConfigureAwait(false);

        // Pods that are ready but not yet available become available minReadySeconds later.
        if (manageError is null && updated.Spec.MinReadySeconds is > 0 and var seconds
            && updated.Status.ReadyReplicas == updated.Spec.Replicas && updated.Status.AvailableReplicas != updated.Spec.Replicas)
        {
            Queue.AddAfter(key, TimeSpan.FromSeconds(seconds));
        }

        if (manageError is not null)
        {
            throw manageError;
        }
    }

    private async Task ManageReplicasAsync(List<V1Pod> pods, V1ReplicaSet rs, CancellationToken cancellationToken)
    {
        var key = ObjectKeys.Of(rs);
        var diff = pods.Count - (rs.Spec.Replicas ?? 1);
        if (diff < 0)
        {
            var toCreate = Math.Min(-diff, BurstReplicas);

            // Expect the creations before making them: the watch may report them before the calls return.
            Expectations.ExpectCreations(key, toCreate);
            var (created, error) = await SlowStart.RunAsync(toCreate, ct => CreatePodAsync(rs, ct), cancellationToken).ConfigureAwait(false);

            // Creations that failed or were never attempted (a batch failed) will not be seen: lower the expectations.
            for (var skipped = toCreate - created; skipped > 0; skipped--)
            {
                Expectations.CreationObserved(key);
            }

            if (error is not null)
            {
                throw error;
            }
        }
        else if (diff > 0)
        {
            var toDelete = Math.Min(diff, BurstReplicas);
            var related = RelatedPods(rs);
            var victims = PodDeletionOrder.PodsToDelete(pods, related, toDelete, _time.GetUtcNow());
            Expectations.ExpectDeletions(key, victims.Select(ObjectKeys.Of));
            var errors = await Task.WhenAll(victims.Select(pod => DeletePodAsync(rs, pod, cancellationToken))).ConfigureAwait(false);
            if (errors.FirstOrDefault(e => e is not null) is { } error)
            {
                throw error;
            }
        }
    }

    private async Task<Exception?> CreatePodAsync(V1ReplicaSet rs, CancellationToken cancellationToken)
    {
        try
        {
            var pod = await _client.CreatePodAsync(rs.Metadata.NamespaceProperty, PodFromTemplate(rs), cancellationToken).ConfigureAwait(false);
            _events.Event(rs, EventTypes.Normal, "SuccessfulCreate", $"Created pod: {pod.Metadata.Name}");
            return null;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Failed creations are counted with the skipped ones by the caller.
            if (ApiErrors.IsNamespaceTerminating(e))
            {
                return null;
            }

            _events.Event(rs, EventTypes.Warning, "FailedCreate", $"Error creating: {Message(e)}");
            return e;
        }
    }

    private async Task<Exception?> DeletePodAsync(V1ReplicaSet rs, V1Pod pod, CancellationToken cancellationToken)
    {
        try
        {
            await _client.DeletePodAsync(pod.Metadata.NamespaceProperty, pod.Metadata.Name, pod.Metadata.Uid, cancellationToken).ConfigureAwait(false);
            _events.Event(rs, EventTypes.Normal, "SuccessfulDelete", $"Deleted pod: {pod.Metadata.Name}");
            return null;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The deletion will not be seen as a watch event: stop waiting for it.
            Expectations.DeletionObserved(ObjectKeys.Of(rs), ObjectKeys.Of(pod));
            if (ApiErrors.IsNotFound(e))
            {
                return null;
            }

            _events.Event(rs, EventTypes.Warning, "FailedDelete", $"Error deleting: {Message(e)}");
            return e;
        }
    }

    // The pods of every ReplicaSet with the same controller (the Deployment's), to spread deletions over nodes.
    private List<V1Pod> RelatedPods(V1ReplicaSet rs)
    {
        var owner = OwnerReferences.ControllerOf(rs.Metadata);
        var siblings = owner is null
            ? new List<V1ReplicaSet> { rs }
            : _replicaSets.ByIndex(Indexer<V1ReplicaSet>.OwnerUidIndex, owner.Uid).Where(r => OwnerReferences.IsControlledBy(r.Metadata, owner.Uid)).ToList();
        return [.. siblings.SelectMany(s => _pods.ByIndex(Indexer<V1Pod>.OwnerUidIndex, s.Metadata.Uid))];
    }

    /// <summary>A pod as the ReplicaSet's template describes it (controller.GetPodFromTemplate).</summary>
    internal static V1Pod PodFromTemplate(V1ReplicaSet rs)
    {
        var template = Objects.Clone(rs.Spec.Template);
        return new V1Pod
        {
            ApiVersion = "v1",
            Kind = "Pod",
            Metadata = new V1ObjectMeta
            {
                GenerateName = rs.Metadata.Name + "-",
                NamespaceProperty = rs.Metadata.NamespaceProperty,
                Labels = template.Metadata?.Labels,
                Annotations = template.Metadata?.Annotations,
                Finalizers = template.Metadata?.Finalizers,
                OwnerReferences = [OwnerReferences.ControllerRef(rs, ApiVersion, Kind)],
            },
            Spec = template.Spec,
        };
    }

    private async Task<V1ReplicaSet> UpdateStatusAsync(V1ReplicaSet rs, V1ReplicaSetStatus status, CancellationToken cancellationToken)
    {
        if (ReplicaSetStatusCalculator.Same(rs.Status, status) && rs.Status?.ObservedGeneration == rs.Metadata.Generation)
        {
            return rs;
        }

        rs.Status = status;
        try
        {
            return await _client.UpdateReplicaSetStatusAsync(rs, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (ApiErrors.IsConflict(e))
        {
            // One retry on a fresh copy, as upstream's statusUpdateRetries.
            var fresh = await _client.GetReplicaSetAsync(rs.Metadata.NamespaceProperty, rs.Metadata.Name, cancellationToken).ConfigureAwait(false);
            fresh.Status = status;
            return await _client.UpdateReplicaSetStatusAsync(fresh, cancellationToken).ConfigureAwait(false);
        }
    }

    private static string Message(Exception e) => e is k8s.Autorest.HttpOperationException h && h.Response?.Content is { Length: > 0 } content
        ? (KubernetesJson.Deserialize<V1Status>(content)?.Message ?? e.Message)
        : e.Message;
}
