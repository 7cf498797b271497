using k8s.Models;

namespace Cetus.Controllers.Deployment;

public sealed partial class DeploymentController
{
    /// <summary>The Deployment's status computed from its ReplicaSets (calculateStatus), with the Available condition.</summary>
    internal V1DeploymentStatus CalculateStatus(List<V1ReplicaSet?> all, V1ReplicaSet? newRs, V1Deployment d)
    {
        var available = DeploymentUtil.AvailableReplicas(all);
        var status = new V1DeploymentStatus
        {
            ObservedGeneration = d.Metadata.Generation,
            Replicas = DeploymentUtil.ActualReplicas(all),
            UpdatedReplicas = DeploymentUtil.ActualReplicas([newRs]),
            ReadyReplicas = DeploymentUtil.ReadyReplicas(all),
            AvailableReplicas = available,
            UnavailableReplicas = Math.Max(0, DeploymentUtil.SpecReplicas(all) - available),
            CollisionCount = d.Status?.CollisionCount,
        };
        foreach (var condition in d.Status?.Conditions ?? [])
        {
            DeploymentConditions.Set(status, Copy(condition));
        }

        var now = _time.GetUtcNow();
        DeploymentConditions.Set(status, available >= DeploymentUtil.Replicas(d) - DeploymentUtil.MaxUnavailable(d)
            ? DeploymentConditions.New(DeploymentConditions.Available, "True", DeploymentConditions.MinimumReplicasAvailable, "Deployment has minimum availability.", now)
            : DeploymentConditions.New(DeploymentConditions.Available, "False", DeploymentConditions.MinimumReplicasUnavailable, "Deployment does not have minimum availability.", now));
        return status;
    }

    // syncDeploymentStatus: status only, no Progressing bookkeeping (scaling and paused Deployments).
    private async Task SyncDeploymentStatusAsync(V1Deployment d, List<V1ReplicaSet?> all, V1ReplicaSet? newRs, CancellationToken cancellationToken)
    {
        var status = CalculateStatus(all, newRs, d);
        if (!SameStatus(d.Status, status))
        {
            d.Status = status;
            await UpdateStatusAsync(d, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// syncRolloutStatus: status plus the Progressing condition (NewReplicaSetAvailable when complete,
    /// ReplicaSetUpdated on progress, ProgressDeadlineExceeded after the deadline), and a requeue at the deadline.
    /// </summary>
    private async Task SyncRolloutStatusAsync(V1Deployment d, List<V1ReplicaSet?> all, V1ReplicaSet? newRs, CancellationToken cancellationToken)
    {
        var status = CalculateStatus(all, newRs, d);
        if (!DeploymentConditions.HasProgressDeadline(d))
        {
            DeploymentConditions.Remove(status, DeploymentConditions.Progressing);
        }

        var now = _time.GetUtcNow();
        var current = DeploymentConditions.Get(d.Status, DeploymentConditions.Progressing);
        var complete = status.Replicas == status.UpdatedReplicas && current?.Reason == DeploymentConditions.NewReplicaSetAvailableReason;
        if (DeploymentConditions.HasProgressDeadline(d) && !complete)
        {
            if (DeploymentConditions.Complete(d, status))
            {
                var message = newRs is null ? $"Deployment \"{d.Metadata.Name}\" has successfully progressed." : $"ReplicaSet \"{newRs.Metadata.Name}\" has successfully progressed.";
                DeploymentConditions.Set(status, DeploymentConditions.New(DeploymentConditions.Progressing, "True", DeploymentConditions.NewReplicaSetAvailableReason, message, now));
            }
            else if (DeploymentConditions.Progressed(d, status))
            {
                var message = newRs is null ? $"Deployment \"{d.Metadata.Name}\" is progressing." : $"ReplicaSet \"{newRs.Metadata.Name}\" is progressing.";
                var condition = DeploymentConditions.New(DeploymentConditions.Progressing, "True", DeploymentConditions.ReplicaSetUpdatedReason, message, now);

                // Progress refreshes lastUpdateTime (the deadline counts from it) but keeps the transition time.
                if (current is not null)
                {
                    if (current.Status == "True")
                    {
                        condition.LastTransitionTime = current.LastTransitionTime;
                    }

                    DeploymentConditions.Remove(status, DeploymentConditions.Progressing);
                }

                DeploymentConditions.Set(status, condition);
            }
            else if (DeploymentConditions.TimedOut(d, status, now))
            {
                var message = newRs is null ? $"Deployment \"{d.Metadata.Name}\" has timed out progressing." : $"ReplicaSet \"{newRs.Metadata.Name}\" has timed out progressing.";
                DeploymentConditions.Set(status, DeploymentConditions.New(DeploymentConditions.Progressing, "False", DeploymentConditions.TimedOutReason, message, now));
            }
        }

        var failure = all.OfType<V1ReplicaSet>()
            .SelectMany(rs => rs.Status?.Conditions ?? [])
            .FirstOrDefault(c => c.Type == DeploymentConditions.ReplicaFailure);
        if (failure is not null)
        {
            DeploymentConditions.Set(status, DeploymentConditions.New(DeploymentConditions.ReplicaFailure, failure.Status, failure.Reason, failure.Message, now));
        }
        else
        {
            DeploymentConditions.Remove(status, DeploymentConditions.ReplicaFailure);
        }

        if (SameStatus(d.Status, status))
        {
            RequeueStuckDeployment(d, status, now);
            return;
        }

        d.Status = status;
        await UpdateStatusAsync(d, cancellationToken).ConfigureAwait(false);
    }

    // A rollout that has not finished is looked at again when its progress deadline passes.
    private void RequeueStuckDeployment(V1Deployment d, V1DeploymentStatus status, DateTimeOffset now)
    {
        var current = DeploymentConditions.Get(d.Status, DeploymentConditions.Progressing);
        if (!DeploymentConditions.HasProgressDeadline(d) || current is null || DeploymentConditions.Complete(d, status) || current.Reason == DeploymentConditions.TimedOutReason)
        {
            return;
        }

        var updated = current.LastUpdateTime is { } t ? new DateTimeOffset(DateTime.SpecifyKind(t, DateTimeKind.Utc)) : now;
        var after = updated.AddSeconds(d.Spec.ProgressDeadlineSeconds!.Value) - now;
        var key = Client.ObjectKeys.Of(d);
        if (after < TimeSpan.FromSeconds(1))
        {
            Queue.AddRateLimited(key);
        }
        else
        {
            Queue.AddAfter(key, after + TimeSpan.FromSeconds(1));
        }
    }

    private static bool SameStatus(V1DeploymentStatus? a, V1DeploymentStatus b) =>
        a is not null
        && k8s.KubernetesJson.Serialize(a) == k8s.KubernetesJson.Serialize(b);

    private static V1DeploymentCondition Copy(V1DeploymentCondition c) => new()
    {
        Type = c.Type,
        Status = c.Status,
        Reason = c.Reason,
        Message = c.Message,
        LastUpdateTime = c.LastUpdateTime,
        LastTransitionTime = c.LastTransitionTime,
    };
}
