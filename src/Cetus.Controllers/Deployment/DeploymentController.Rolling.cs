using k8s.Models;

namespace Cetus.Controllers.Deployment;

public sealed partial class DeploymentController
{
    /// <summary>
    /// rolloutRolling: scale the new ReplicaSet up within maxSurge, then the old ones down within maxUnavailable; one
    /// step per sync, each step waiting for the watch to show the effect of the last.
    /// </summary>
    private async Task RolloutRollingAsync(V1Deployment d, List<V1ReplicaSet> replicaSets, CancellationToken cancellationToken)
    {
        var (newRs, oldRs) = await ReplicaSetsAndSyncRevisionAsync(d, replicaSets, create: true, cancellationToken).ConfigureAwait(false);
        List<V1ReplicaSet?> all = [.. oldRs, newRs];
        if (await ReconcileNewReplicaSetAsync(all, newRs!, d, cancellationToken).ConfigureAwait(false)
            || await ReconcileOldReplicaSetsAsync(all, DeploymentUtil.Active(oldRs), newRs!, d, cancellationToken).ConfigureAwait(false))
        {
            await SyncRolloutStatusAsync(d, all, newRs, cancellationToken).ConfigureAwait(false);
            return;
        }

        if (DeploymentConditions.Complete(d, d.Status ?? new V1DeploymentStatus()))
        {
            await CleanupAsync(d, oldRs, cancellationToken).ConfigureAwait(false);
        }

        await SyncRolloutStatusAsync(d, all, newRs, cancellationToken).ConfigureAwait(false);
    }

    private async Task<bool> ReconcileNewReplicaSetAsync(List<V1ReplicaSet?> all, V1ReplicaSet newRs, V1Deployment d, CancellationToken cancellationToken)
    {
        var replicas = DeploymentUtil.Replicas(d);
        if (DeploymentUtil.Replicas(newRs) == replicas)
        {
            return false;
        }

        var target = DeploymentUtil.Replicas(newRs) > replicas ? replicas : DeploymentUtil.NewReplicaSetReplicas(d, all, newRs);
        return await ScaleReplicaSetAndRecordEventAsync(newRs, target, d, cancellationToken).ConfigureAwait(false);
    }

    private async Task<bool> ReconcileOldReplicaSetsAsync(List<V1ReplicaSet?> all, List<V1ReplicaSet> oldRs, V1ReplicaSet newRs, V1Deployment d, CancellationToken cancellationToken)
    {
        if (DeploymentUtil.SpecReplicas(oldRs) == 0)
        {
            return false;
        }

        var minAvailable = DeploymentUtil.Replicas(d) - DeploymentUtil.MaxUnavailable(d);
        var newUnavailable = DeploymentUtil.Replicas(newRs) - (newRs.Status?.AvailableReplicas ?? 0);
        var maxScaledDown = DeploymentUtil.SpecReplicas(all) - minAvailable - newUnavailable;
        if (maxScaledDown <= 0)
        {
            return false;
        }

        // First the old pods that are not available anyway, then as many available ones as minAvailable permits.
        var cleaned = await CleanupUnhealthyReplicasAsync(oldRs, d, maxScaledDown, cancellationToken).ConfigureAwait(false);
        var scaledDown = await ScaleDownOldForRollingUpdateAsync([.. oldRs, newRs], oldRs, d, cancellationToken).ConfigureAwait(false);
        return cleaned + scaledDown > 0;
    }

    private async Task<int> CleanupUnhealthyReplicasAsync(List<V1ReplicaSet> oldRs, V1Deployment d, int maxCleanup, CancellationToken cancellationToken)
    {
        var total = 0;
        foreach (var rs in DeploymentUtil.ByCreation(oldRs).ToList())
        {
            if (total >= maxCleanup)
            {
                break;
            }

            var unavailable = DeploymentUtil.Replicas(rs) - (rs.Status?.AvailableReplicas ?? 0);
            if (DeploymentUtil.Replicas(rs) == 0 || unavailable <= 0)
            {
                continue;
            }

            var count = Math.Min(maxCleanup - total, unavailable);
            await ScaleReplicaSetAndRecordEventAsync(rs, DeploymentUtil.Replicas(rs) - count, d, cancellationToken).ConfigureAwait(false);
            total += count;
        }

        return total;
    }

    private async Task<int> ScaleDownOldForRollingUpdateAsync(List<V1ReplicaSet?> all, List<V1ReplicaSet> oldRs, V1Deployment d, CancellationToken cancellationToken)
    {
        var minAvailable = DeploymentUtil.Replicas(d) - DeploymentUtil.MaxUnavailable(d);
        var available = DeploymentUtil.AvailableReplicas(all);
        if (available <= minAvailable)
        {
            return 0;
        }

        var total = 0;
        var toScaleDown = available - minAvailable;
        foreach (var rs in DeploymentUtil.ByCreation(oldRs).ToList())
        {
            if (total >= toScaleDown)
            {
                break;
            }

            if (DeploymentUtil.Replicas(rs) == 0)
            {
                continue;
            }

            var count = Math.Min(DeploymentUtil.Replicas(rs), toScaleDown - total);
            await ScaleReplicaSetAndRecordEventAsync(rs, DeploymentUtil.Replicas(rs) - count, d, cancellationToken).ConfigureAwait(false);
            total += count;
        }

        return total;
    }
}
