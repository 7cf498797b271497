using k8s.Models;

namespace Cetus.Controllers.Deployment;

/// <summary>Deployment conditions and the reasons Kubernetes gives them (pkg/controller/deployment/util).</summary>
public static class DeploymentConditions
{
    /// <summary>Condition type: enough replicas are available.</summary>
    public const string Available = "Available";

    /// <summary>Condition type: the rollout progresses (or has completed, or timed out).</summary>
    public const string Progressing = "Progressing";

    /// <summary>Condition type: a ReplicaSet failed to create or delete pods.</summary>
    public const string ReplicaFailure = "ReplicaFailure";

    /// <summary>Reason: a new ReplicaSet was created.</summary>
    public const string NewReplicaSetReason = "NewReplicaSetCreated";

    /// <summary>Reason: an existing ReplicaSet matches the template.</summary>
    public const string FoundNewReplicaSetReason = "FoundNewReplicaSet";

    /// <summary>Reason: the new ReplicaSet is fully available: the rollout is complete.</summary>
    public const string NewReplicaSetAvailableReason = "NewReplicaSetAvailable";

    /// <summary>Reason: the rollout made progress.</summary>
    public const string ReplicaSetUpdatedReason = "ReplicaSetUpdated";

    /// <summary>Reason: the progress deadline passed.</summary>
    public const string TimedOutReason = "ProgressDeadlineExceeded";

    /// <summary>Reason: the Deployment is paused.</summary>
    public const string PausedReason = "DeploymentPaused";

    /// <summary>Reason: the Deployment was resumed.</summary>
    public const string ResumedReason = "DeploymentResumed";

    /// <summary>Reason: creating the new ReplicaSet failed.</summary>
    public const string FailedReplicaSetCreateReason = "ReplicaSetCreateError";

    /// <summary>Reason: enough replicas are available.</summary>
    public const string MinimumReplicasAvailable = "MinimumReplicasAvailable";

    /// <summary>Reason: too few replicas are available.</summary>
    public const string MinimumReplicasUnavailable = "MinimumReplicasUnavailable";

    /// <summary>A new condition, both times now (to the second, as the API stores them).</summary>
    public static V1DeploymentCondition New(string type, string status, string reason, string message, DateTimeOffset now)
    {
        var utc = now.UtcDateTime;
        utc = utc.AddTicks(-(utc.Ticks % TimeSpan.TicksPerSecond));
        return new V1DeploymentCondition { Type = type, Status = status, Reason = reason, Message = message, LastUpdateTime = utc, LastTransitionTime = utc };
    }

    /// <summary>The condition of this type, or null.</summary>
    public static V1DeploymentCondition? Get(V1DeploymentStatus? status, string type) => status?.Conditions?.FirstOrDefault(c => c.Type == type);

    /// <summary>
    /// Sets a condition: nothing changes when status and reason are the same; the transition time is kept when only
    /// the reason changes.
    /// </summary>
    public static void Set(V1DeploymentStatus status, V1DeploymentCondition condition)
    {
        var current = Get(status, condition.Type);
        if (current is not null && current.Status == condition.Status && current.Reason == condition.Reason)
        {
            return;
        }

        if (current is not null && current.Status == condition.Status)
        {
            condition.LastTransitionTime = current.LastTransitionTime;
        }

        status.Conditions = [.. (status.Conditions ?? []).Where(c => c.Type != condition.Type), condition];
    }

    /// <summary>Removes the condition of this type.</summary>
    public static void Remove(V1DeploymentStatus status, string type)
    {
        if (status.Conditions is not null)
        {
            status.Conditions = [.. status.Conditions.Where(c => c.Type != type)];
        }
    }

    /// <summary>True when the Deployment has a progress deadline.</summary>
    public static bool HasProgressDeadline(V1Deployment d) => d.Spec.ProgressDeadlineSeconds is { } s && s != int.MaxValue;

    /// <summary>Every replica is updated and available and the latest generation observed.</summary>
    public static bool Complete(V1Deployment d, V1DeploymentStatus status) =>
        (status.UpdatedReplicas ?? 0) == DeploymentUtil.Replicas(d)
        && (status.Replicas ?? 0) == DeploymentUtil.Replicas(d)
        && (status.AvailableReplicas ?? 0) == DeploymentUtil.Replicas(d)
        && (status.ObservedGeneration ?? 0) >= (d.Metadata.Generation ?? 0);

    /// <summary>The new status shows progress over the stored one.</summary>
    public static bool Progressed(V1Deployment d, V1DeploymentStatus status)
    {
        var old = d.Status ?? new V1DeploymentStatus();
        var oldOld = (old.Replicas ?? 0) - (old.UpdatedReplicas ?? 0);
        var newOld = (status.Replicas ?? 0) - (status.UpdatedReplicas ?? 0);
        return (status.UpdatedReplicas ?? 0) > (old.UpdatedReplicas ?? 0)
            || newOld < oldOld
            || (status.ReadyReplicas ?? 0) > (old.ReadyReplicas ?? 0)
            || (status.AvailableReplicas ?? 0) > (old.AvailableReplicas ?? 0);
    }

    /// <summary>The progress deadline has passed since the Progressing condition was last updated.</summary>
    public static bool TimedOut(V1Deployment d, V1DeploymentStatus status, DateTimeOffset now)
    {
        if (!HasProgressDeadline(d) || Get(status, Progressing) is not { } condition || condition.Reason == NewReplicaSetAvailableReason)
        {
            return false;
        }

        if (condition.Reason == TimedOutReason)
        {
            return true;
        }

        var from = condition.LastUpdateTime is { } t ? new DateTimeOffset(DateTime.SpecifyKind(t, DateTimeKind.Utc)) : now;
        return from.AddSeconds(d.Spec.ProgressDeadlineSeconds!.Value) < now;
    }
}
