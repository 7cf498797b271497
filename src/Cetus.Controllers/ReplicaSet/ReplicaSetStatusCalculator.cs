using Cetus.Controllers.Common;
using k8s.Models;

namespace Cetus.Controllers.ReplicaSet;

/// <summary>A ReplicaSet's status from the pods it controls (replica_set_utils.go calculateStatus).</summary>
public static class ReplicaSetStatusCalculator
{
    /// <summary>The condition type reporting failed creations or deletions.</summary>
    public const string ReplicaFailure = "ReplicaFailure";

    /// <summary>Counts replicas, fully labeled, ready and available pods and sets or clears the ReplicaFailure condition.</summary>
    public static V1ReplicaSetStatus Calculate(V1ReplicaSet rs, IReadOnlyList<V1Pod> pods, Exception? manageError, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(rs);
        ArgumentNullException.ThrowIfNull(pods);
        var templateLabels = rs.Spec.Template?.Metadata?.Labels ?? new Dictionary<string, string>();
        var minReady = rs.Spec.MinReadySeconds ?? 0;
        var status = new V1ReplicaSetStatus
        {
            Replicas = pods.Count,
            FullyLabeledReplicas = pods.Count(p => templateLabels.All(kv => p.Metadata.Labels?.TryGetValue(kv.Key, out var v) == true && v == kv.Value)),
            ReadyReplicas = pods.Count(PodConditions.IsReady),
            AvailableReplicas = pods.Count(p => PodConditions.IsAvailable(p, minReady, now)),
            ObservedGeneration = rs.Metadata.Generation,
            Conditions = rs.Status?.Conditions?.ToList(),
        };

        var failure = status.Conditions?.FirstOrDefault(c => c.Type == ReplicaFailure);
        if (manageError is not null && failure is null)
        {
            var diff = pods.Count - (rs.Spec.Replicas ?? 1);
            var utc = now.UtcDateTime;
            (status.Conditions ??= []).Add(new V1ReplicaSetCondition
            {
                Type = ReplicaFailure,
                Status = "True",
                Reason = diff < 0 ? "FailedCreate" : "FailedDelete",
                Message = manageError.Message,
                LastTransitionTime = utc.AddTicks(-(utc.Ticks % TimeSpan.TicksPerSecond)),
            });
        }
        else if (manageError is null && failure is not null)
        {
            status.Conditions!.Remove(failure);
        }

        if (status.Conditions is { Count: 0 })
        {
            status.Conditions = null;
        }

        return status;
    }

    /// <summary>True when two statuses carry the same counts and conditions.</summary>
    public static bool Same(V1ReplicaSetStatus? a, V1ReplicaSetStatus b)
    {
        ArgumentNullException.ThrowIfNull(b);
        return a is not null
            && (a.Replicas, a.FullyLabeledReplicas ?? 0, a.ReadyReplicas ?? 0, a.AvailableReplicas ?? 0, a.ObservedGeneration)
                == (b.Replicas, b.FullyLabeledReplicas ?? 0, b.ReadyReplicas ?? 0, b.AvailableReplicas ?? 0, b.ObservedGeneration)
            && (a.Conditions?.Count ?? 0) == (b.Conditions?.Count ?? 0)
            && (a.Conditions ?? []).Zip(b.Conditions ?? []).All(p => p.First.Type == p.Second.Type && p.First.Status == p.Second.Status && p.First.Reason == p.Second.Reason);
    }
}
