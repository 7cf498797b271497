using Cetus.Api.Validation;
using System.Globalization;
using Cetus.Client;
using Cetus.Client.Events;
using Cetus.Controllers.Common;
using k8s.Models;

namespace Cetus.Controllers.Deployment;

public sealed partial class DeploymentController
{
    /// <summary>
    /// Syncs one Deployment (syncDeployment): claims its ReplicaSets, then either only scales (paused, or a scaling
    /// event) or rolls out with the Deployment's strategy. Reads only the caches; works on deep copies.
    /// </summary>
    public async Task SyncAsync(string key, CancellationToken cancellationToken)
    {
        var cached = _deployments.Get(key);
        if (cached is null)
        {
            return;
        }

        var d = Objects.Clone(cached);
        if (d.Spec.Selector is null || LabelSelectors.IsEmpty(d.Spec.Selector))
        {
            _events.Event(d, EventTypes.Warning, "SelectingAll", "This deployment is selecting all pods. A non-empty selector is required.");
            if ((d.Status?.ObservedGeneration ?? 0) < (d.Metadata.Generation ?? 0))
            {
                d.Status ??= new V1DeploymentStatus();
                d.Status.ObservedGeneration = d.Metadata.Generation;
                await UpdateStatusAsync(d, cancellationToken).ConfigureAwait(false);
            }

            return;
        }

        var replicaSets = await ClaimReplicaSetsAsync(d, cancellationToken).ConfigureAwait(false);
        if (d.Metadata.DeletionTimestamp is not null)
        {
            await SyncStatusOnlyAsync(d, replicaSets, cancellationToken).ConfigureAwait(false);
            return;
        }

        await CheckPausedConditionsAsync(d, cancellationToken).ConfigureAwait(false);
        if (d.Spec.Paused == true || IsScalingEvent(d, replicaSets))
        {
            await ScaleOnlyAsync(d, replicaSets, cancellationToken).ConfigureAwait(false);
            return;
        }

        if (DeploymentUtil.IsRollingUpdate(d))
        {
            await RolloutRollingAsync(d, replicaSets, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await RolloutRecreateAsync(d, replicaSets, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<List<V1ReplicaSet>> ClaimReplicaSetsAsync(V1Deployment d, CancellationToken cancellationToken)
    {
        var ns = d.Metadata.NamespaceProperty;
        var claimed = await ControllerRefManager.ClaimAsync(
            d,
            ApiVersion,
            Kind,
            d.Spec.Selector,
            _replicaSets.ByNamespace(ns),
            async (rs, patch, ct) => await _client.PatchReplicaSetAsync(ns, rs.Metadata.Name, patch, ct).ConfigureAwait(false),
            cancellationToken).ConfigureAwait(false);
        return [.. claimed.Select(Objects.Clone)];
    }

    // A Deployment being deleted: only report status.
    private async Task SyncStatusOnlyAsync(V1Deployment d, List<V1ReplicaSet> replicaSets, CancellationToken cancellationToken)
    {
        var (newRs, oldRs) = await ReplicaSetsAndSyncRevisionAsync(d, replicaSets, create: false, cancellationToken).ConfigureAwait(false);
        await SyncDeploymentStatusAsync(d, [.. oldRs, newRs], newRs, cancellationToken).ConfigureAwait(false);
    }

    // sync(): scale the ReplicaSets for a scaling event or a paused Deployment, without rolling out.
    private async Task ScaleOnlyAsync(V1Deployment d, List<V1ReplicaSet> replicaSets, CancellationToken cancellationToken)
    {
        var (newRs, oldRs) = await ReplicaSetsAndSyncRevisionAsync(d, replicaSets, create: false, cancellationToken).ConfigureAwait(false);
        await ScaleAsync(d, newRs, oldRs, cancellationToken).ConfigureAwait(false);
        if (d.Spec.Paused == true)
        {
            await CleanupAsync(d, oldRs, cancellationToken).ConfigureAwait(false);
        }

        await SyncDeploymentStatusAsync(d, [.. oldRs, newRs], newRs, cancellationToken).ConfigureAwait(false);
    }

    // A scaling event: some active ReplicaSet was last scaled for a different number of replicas.
    private static bool IsScalingEvent(V1Deployment d, List<V1ReplicaSet> replicaSets) =>
        DeploymentUtil.Active(replicaSets).Any(rs => DeploymentUtil.IntAnnotation(rs, DeploymentUtil.DesiredReplicasAnnotation) is { } desired && desired != DeploymentUtil.Replicas(d));

    private async Task CheckPausedConditionsAsync(V1Deployment d, CancellationToken cancellationToken)
    {
        if (!DeploymentConditions.HasProgressDeadline(d))
        {
            return;
        }

        var condition = DeploymentConditions.Get(d.Status, DeploymentConditions.Progressing);
        if (condition?.Reason == DeploymentConditions.TimedOutReason)
        {
            // A reported lack of progress is not overwritten by a paused condition.
            return;
        }

        var pausedShown = condition?.Reason == DeploymentConditions.PausedReason;
        var now = _time.GetUtcNow();
        d.Status ??= new V1DeploymentStatus();
        if (d.Spec.Paused == true && !pausedShown)
        {
            DeploymentConditions.Set(d.Status, DeploymentConditions.New(DeploymentConditions.Progressing, "Unknown", DeploymentConditions.PausedReason, "Deployment is paused", now));
        }
        else if (d.Spec.Paused != true && pausedShown)
        {
            DeploymentConditions.Set(d.Status, DeploymentConditions.New(DeploymentConditions.Progressing, "Unknown", DeploymentConditions.ResumedReason, "Deployment is resumed", now));
        }
        else
        {
            return;
        }

        await UpdateStatusAsync(d, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The new ReplicaSet (created when <paramref name="create"/> and missing) and the old ones; syncs revisions.</summary>
    private async Task<(V1ReplicaSet? New, List<V1ReplicaSet> Old)> ReplicaSetsAndSyncRevisionAsync(V1Deployment d, List<V1ReplicaSet> replicaSets, bool create, CancellationToken cancellationToken)
    {
        var existing = DeploymentUtil.FindNewReplicaSet(d, replicaSets);
        var old = DeploymentUtil.FindOldReplicaSets(replicaSets, existing);
        var newRs = await NewReplicaSetAsync(d, existing, old, create, cancellationToken).ConfigureAwait(false);
        return (newRs, old);
    }

    private async Task<V1ReplicaSet?> NewReplicaSetAsync(V1Deployment d, V1ReplicaSet? existing, List<V1ReplicaSet> old, bool create, CancellationToken cancellationToken)
    {
        var newRevision = (DeploymentUtil.MaxRevision(old) + 1).ToString(CultureInfo.InvariantCulture);
        var now = _time.GetUtcNow();
        d.Status ??= new V1DeploymentStatus();
        if (existing is not null)
        {
            var annotationsUpdated = DeploymentUtil.SetNewReplicaSetAnnotations(d, existing, newRevision, exists: true);
            if (annotationsUpdated || (existing.Spec.MinReadySeconds ?? 0) != (d.Spec.MinReadySeconds ?? 0))
            {
                existing.Spec.MinReadySeconds = d.Spec.MinReadySeconds;
                Refresh(existing, await _client.UpdateReplicaSetAsync(existing, cancellationToken).ConfigureAwait(false));
                return existing;
            }

            var needsUpdate = DeploymentUtil.SetDeploymentRevision(d, existing.Metadata.Annotations?.TryGetValue(DeploymentUtil.RevisionAnnotation, out var revision) == true ? revision : null);
            if (DeploymentConditions.HasProgressDeadline(d) && DeploymentConditions.Get(d.Status, DeploymentConditions.Progressing) is null)
            {
                DeploymentConditions.Set(d.Status, DeploymentConditions.New(DeploymentConditions.Progressing, "True", DeploymentConditions.FoundNewReplicaSetReason, $"Found new replica set \"{existing.Metadata.Name}\"", now));
                needsUpdate = true;
            }

            if (needsUpdate)
            {
                await UpdateStatusAsync(d, cancellationToken).ConfigureAwait(false);
            }

            return existing;
        }

        if (!create)
        {
            return null;
        }

        var hash = DeploymentUtil.ComputeHash(d.Spec.Template, d.Status.CollisionCount);
        var template = DeploymentUtil.TemplateWithHash(d.Spec.Template, hash);
        var selector = Objects.Clone(d.Spec.Selector);
        selector.MatchLabels = new Dictionary<string, string>(selector.MatchLabels ?? new Dictionary<string, string>()) { [DeploymentUtil.PodTemplateHashLabel] = hash };
        var rs = new V1ReplicaSet
        {
            ApiVersion = ApiVersion,
            Kind = "ReplicaSet",
            Metadata = new V1ObjectMeta
            {
                Name = d.Metadata.Name + "-" + hash,
                NamespaceProperty = d.Metadata.NamespaceProperty,
                OwnerReferences = [OwnerReferences.ControllerRef(d, ApiVersion, Kind)],
                Labels = new Dictionary<string, string>(template.Metadata.Labels),
            },
            Spec = new V1ReplicaSetSpec { Replicas = 0, MinReadySeconds = d.Spec.MinReadySeconds, Selector = selector, Template = template },
        };
        var replicas = DeploymentUtil.NewReplicaSetReplicas(d, [.. old, rs], rs);
        rs.Spec.Replicas = replicas;
        DeploymentUtil.SetNewReplicaSetAnnotations(d, rs, newRevision, exists: false);

        V1ReplicaSet created;
        var alreadyExisted = false;
        try
        {
            created = await _client.CreateReplicaSetAsync(rs.Metadata.NamespaceProperty, rs, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (ApiErrors.IsAlreadyExists(e))
        {
            var found = _replicaSets.Get(rs.Metadata.NamespaceProperty, rs.Metadata.Name)
                ?? await _client.GetReplicaSetAsync(rs.Metadata.NamespaceProperty, rs.Metadata.Name, cancellationToken).ConfigureAwait(false);
            if (!OwnerReferences.IsControlledBy(found.Metadata, d.Metadata.Uid) || !DeploymentUtil.EqualIgnoreHash(found.Spec.Template, d.Spec.Template))
            {
                // A hash collision: count it, so the next hash differs.
                d.Status.CollisionCount = (d.Status.CollisionCount ?? 0) + 1;
                await UpdateStatusAsync(d, cancellationToken).ConfigureAwait(false);
                throw;
            }

            created = Objects.Clone(found);
            alreadyExisted = true;
        }
        catch (Exception e) when (e is not OperationCanceledException && !ApiErrors.IsNamespaceTerminating(e))
        {
            var message = $"Failed to create new replica set \"{rs.Metadata.Name}\": {e.Message}";
            if (DeploymentConditions.HasProgressDeadline(d))
            {
                DeploymentConditions.Set(d.Status, DeploymentConditions.New(DeploymentConditions.Progressing, "False", DeploymentConditions.FailedReplicaSetCreateReason, message, now));
                await UpdateStatusAsync(d, cancellationToken).ConfigureAwait(false);
            }

            _events.Event(d, EventTypes.Warning, "FailedCreate", message);
            throw;
        }

        if (!alreadyExisted && replicas > 0)
        {
            _events.Event(d, EventTypes.Normal, "ScalingReplicaSet", $"Scaled up replica set {created.Metadata.Name} from 0 to {replicas}");
        }

        var statusNeedsUpdate = DeploymentUtil.SetDeploymentRevision(d, newRevision);
        if (!alreadyExisted && DeploymentConditions.HasProgressDeadline(d))
        {
            DeploymentConditions.Set(d.Status, DeploymentConditions.New(DeploymentConditions.Progressing, "True", DeploymentConditions.NewReplicaSetReason, $"Created new replica set \"{created.Metadata.Name}\"", now));
            statusNeedsUpdate = true;
        }

        if (statusNeedsUpdate)
        {
            await UpdateStatusAsync(d, cancellationToken).ConfigureAwait(false);
        }

        return created;
    }

    /// <summary>
    /// scale(): brings the ReplicaSets to the Deployment's size. With one active ReplicaSet it gets everything; during
    /// a rolling update the difference is shared out proportionally to the ReplicaSets' sizes (larger first when
    /// scaling up, smaller first when scaling down), the rounding leftover going to the first.
    /// </summary>
    private async Task ScaleAsync(V1Deployment d, V1ReplicaSet? newRs, List<V1ReplicaSet> oldRs, CancellationToken cancellationToken)
    {
        var replicas = DeploymentUtil.Replicas(d);
        if (DeploymentUtil.FindActiveOrLatest(newRs, oldRs) is { } activeOrLatest)
        {
            if (DeploymentUtil.Replicas(activeOrLatest) != replicas)
            {
                await ScaleReplicaSetAndRecordEventAsync(activeOrLatest, replicas, d, cancellationToken).ConfigureAwait(false);
            }

            return;
        }

        if (DeploymentUtil.IsSaturated(d, newRs))
        {
            foreach (var old in DeploymentUtil.Active(oldRs))
            {
                await ScaleReplicaSetAndRecordEventAsync(old, 0, d, cancellationToken).ConfigureAwait(false);
            }

            return;
        }

        if (!DeploymentUtil.IsRollingUpdate(d))
        {
            return;
        }

        var all = DeploymentUtil.Active([.. oldRs, newRs]);
        var allowed = replicas > 0 ? replicas + DeploymentUtil.MaxSurge(d) : 0;
        var toAdd = allowed - DeploymentUtil.SpecReplicas(all);
        string operation;
        if (toAdd > 0)
        {
            all = [.. all.OrderByDescending(DeploymentUtil.Replicas).ThenByDescending(rs => rs.Metadata.CreationTimestamp ?? DateTime.MinValue).ThenBy(rs => rs.Metadata.Name, StringComparer.Ordinal)];
            operation = "up";
        }
        else if (toAdd < 0)
        {
            all = [.. all.OrderByDescending(DeploymentUtil.Replicas).ThenBy(rs => rs.Metadata.CreationTimestamp ?? DateTime.MinValue).ThenBy(rs => rs.Metadata.Name, StringComparer.Ordinal)];
            operation = "down";
        }
        else
        {
            operation = string.Empty;
        }

        var sizes = new Dictionary<string, int>(StringComparer.Ordinal);
        var added = 0;
        foreach (var rs in all)
        {
            var proportion = toAdd != 0 ? DeploymentUtil.Proportion(rs, d, toAdd, added) : 0;
            sizes[rs.Metadata.Name] = DeploymentUtil.Replicas(rs) + proportion;
            added += proportion;
        }

        if (toAdd != 0 && all.Count > 0)
        {
            var first = all[0].Metadata.Name;
            sizes[first] = Math.Max(0, sizes[first] + (toAdd - added));
        }

        foreach (var rs in all)
        {
            await ScaleReplicaSetAsync(rs, sizes[rs.Metadata.Name], d, operation, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Scales a ReplicaSet when its size differs; true when it did.</summary>
    private async Task<bool> ScaleReplicaSetAndRecordEventAsync(V1ReplicaSet rs, int newScale, V1Deployment d, CancellationToken cancellationToken)
    {
        if (DeploymentUtil.Replicas(rs) == newScale)
        {
            return false;
        }

        var operation = DeploymentUtil.Replicas(rs) < newScale ? "up" : "down";
        await ScaleReplicaSetAsync(rs, newScale, d, operation, cancellationToken).ConfigureAwait(false);
        return true;
    }

    // Writes the size and the desired/max replicas annotations; the ReplicaSet object is updated in place.
    private async Task ScaleReplicaSetAsync(V1ReplicaSet rs, int newScale, V1Deployment d, string operation, CancellationToken cancellationToken)
    {
        var oldScale = DeploymentUtil.Replicas(rs);
        var sizeNeedsUpdate = oldScale != newScale;
        var replicas = DeploymentUtil.Replicas(d);
        var max = replicas + DeploymentUtil.MaxSurge(d);
        if (!sizeNeedsUpdate && !DeploymentUtil.ReplicasAnnotationsNeedUpdate(rs, replicas, max))
        {
            return;
        }

        rs.Spec.Replicas = newScale;
        DeploymentUtil.SetReplicasAnnotations(rs, replicas, max);
        Refresh(rs, await _client.UpdateReplicaSetAsync(rs, cancellationToken).ConfigureAwait(false));
        if (sizeNeedsUpdate)
        {
            _events.Event(d, EventTypes.Normal, "ScalingReplicaSet", $"Scaled {operation} replica set {rs.Metadata.Name} from {oldScale} to {newScale}");
        }
    }

    /// <summary>Deletes the oldest ReplicaSets beyond revisionHistoryLimit that have no pods left.</summary>
    private async Task CleanupAsync(V1Deployment d, List<V1ReplicaSet> oldRs, CancellationToken cancellationToken)
    {
        if (d.Spec.RevisionHistoryLimit is not { } limit)
        {
            return;
        }

        var cleanable = oldRs.Where(rs => rs.Metadata.DeletionTimestamp is null).OrderBy(rs => DeploymentUtil.Revision(rs)).ThenBy(rs => rs.Metadata.CreationTimestamp ?? DateTime.MinValue).ToList();
        var diff = cleanable.Count - limit;
        foreach (var rs in cleanable.Take(Math.Max(0, diff)))
        {
            if ((rs.Status?.Replicas ?? 0) != 0 || DeploymentUtil.Replicas(rs) != 0 || (rs.Metadata.Generation ?? 0) > (rs.Status?.ObservedGeneration ?? 0))
            {
                continue;
            }

            try
            {
                await _client.DeleteReplicaSetAsync(rs.Metadata.NamespaceProperty, rs.Metadata.Name, rs.Metadata.Uid, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (ApiErrors.IsNotFound(e))
            {
            }
        }
    }

    private async Task UpdateStatusAsync(V1Deployment d, CancellationToken cancellationToken)
    {
        var updated = await _client.UpdateDeploymentStatusAsync(d, cancellationToken).ConfigureAwait(false);

        // Later writes in this sync build on what was just written.
        d.Metadata.ResourceVersion = updated.Metadata?.ResourceVersion ?? d.Metadata.ResourceVersion;
    }

    private static void Refresh(V1ReplicaSet rs, V1ReplicaSet updated)
    {
        rs.Metadata = updated.Metadata ?? rs.Metadata;
        rs.Spec = updated.Spec ?? rs.Spec;
        rs.Status = updated.Status ?? rs.Status;
    }
}
