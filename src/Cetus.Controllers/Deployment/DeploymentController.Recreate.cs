using Cetus.Client.Informers;
using k8s.Models;

namespace Cetus.Controllers.Deployment;

public sealed partial class DeploymentController
{
    /// <summary>rolloutRecreate: scale every old ReplicaSet to zero, wait until no old pod runs, then scale the new one up.</summary>
    private async Task RolloutRecreateAsync(V1Deployment d, List<V1ReplicaSet> replicaSets, CancellationToken cancellationToken)
    {
        var (newRs, oldRs) = await ReplicaSetsAndSyncRevisionAsync(d, replicaSets, create: false, cancellationToken).ConfigureAwait(false);
        List<V1ReplicaSet?> all = [.. oldRs, newRs];
        var scaledDown = false;
        foreach (var rs in DeploymentUtil.Active(oldRs))
        {
            scaledDown |= await ScaleReplicaSetAndRecordEventAsync(rs, 0, d, cancellationToken).ConfigureAwait(false);
        }

        if (scaledDown || OldPodsRunning(newRs, oldRs))
        {
            await SyncRolloutStatusAsync(d, all, newRs, cancellationToken).ConfigureAwait(false);
            return;
        }

        if (newRs is null)
        {
            (newRs, oldRs) = await ReplicaSetsAndSyncRevisionAsync(d, replicaSets, create: true, cancellationToken).ConfigureAwait(false);
            all = [.. oldRs, newRs];
        }

        await ScaleReplicaSetAndRecordEventAsync(newRs!, DeploymentUtil.Replicas(d), d, cancellationToken).ConfigureAwait(false);
        if (DeploymentConditions.Complete(d, d.Status ?? new V1DeploymentStatus()))
        {
            await CleanupAsync(d, oldRs, cancellationToken).ConfigureAwait(false);
        }

        await SyncRolloutStatusAsync(d, all, newRs, cancellationToken).ConfigureAwait(false);
    }

    // Any old ReplicaSet still reporting pods, or any pod of an old ReplicaSet not yet finished.
    private bool OldPodsRunning(V1ReplicaSet? newRs, List<V1ReplicaSet> oldRs)
    {
        if (DeploymentUtil.ActualReplicas(oldRs) > 0)
        {
            return true;
        }

        return oldRs
            .Where(rs => rs.Metadata.Uid != newRs?.Metadata.Uid)
            .SelectMany(rs => _pods.ByIndex(Indexer<V1Pod>.OwnerUidIndex, rs.Metadata.Uid))
            .Any(pod => pod.Status?.Phase is not ("Failed" or "Succeeded"));
    }
}
