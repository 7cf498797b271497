using Cetus.Api.Validation;
using Cetus.Client;
using Cetus.Controllers.Common;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Cetus.Controllers.Disruption;

/// <summary>The status of one PDB (upstream's sync, trySync, getExpectedPodCount, updatePdbStatus, failSafe).</summary>
public sealed partial class DisruptionController
{
    /// <summary>The condition the controller keeps on each PDB.</summary>
    public const string DisruptionAllowedCondition = "DisruptionAllowed";

    /// <summary>Reason: enough healthy pods for at least one disruption.</summary>
    public const string SufficientPodsReason = "SufficientPods";

    /// <summary>Reason: no disruption is allowed now.</summary>
    public const string InsufficientPodsReason = "InsufficientPods";

    /// <summary>Reason: the status could not be computed, so no disruption is allowed.</summary>
    public const string SyncFailedReason = "SyncFailed";

    /// <summary>Computes and writes the PDB's status; a PDB that is gone is forgotten.</summary>
    public async Task SyncAsync(string key, CancellationToken cancellationToken)
    {
        var (ns, name) = ObjectKeys.Split(key);
        var pdb = _pdbs.Get(ns, name);
        if (pdb is null)
        {
            return;
        }

        try
        {
            await TrySyncAsync(pdb, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpOperationException e) when (ApiErrors.IsConflict(e))
        {
            // A stale copy: retried from the cache without the fail-safe write.
            throw;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _logger.LogWarning(e, "Failed to sync PDB {Key}", key);
            await FailSafeAsync(pdb, e.Message, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task TrySyncAsync(V1PodDisruptionBudget pdb, CancellationToken cancellationToken)
    {
        var pods = PodsOf(pdb);
        if (pods.Count == 0)
        {
            _events.Event(pdb, "Normal", "NoPods", "No matching pods found");
        }

        var (expected, desired, unmanaged) = ExpectedPodCount(pdb, pods);
        if (unmanaged.Count > 0)
        {
            _events.Event(pdb, "Warning", "UnmanagedPods",
                $"Pods selected by this PodDisruptionBudget (selector: {SelectorText(pdb.Spec?.Selector)}) were found to be unmanaged. As a result, the status of the PDB cannot be calculated correctly, which may result in undefined behavior. To account for these pods please set \".spec.minAvailable\" field of the PDB to an integer value.");
        }

        var now = _time.GetUtcNow();
        var (disrupted, recheck) = DisruptedPods(pods, pdb, now);
        var healthy = CountHealthy(pods, disrupted, now);
        await UpdateStatusAsync(pdb, healthy, desired, expected, disrupted, cancellationToken).ConfigureAwait(false);
        if (recheck is { } at)
        {
            // An entry expires at `at`: look again then, so that it stops counting against the healthy pods.
            Queue.AddAfter(ObjectKeys.Of(pdb), at - now);
        }
    }

    /// <summary>The pods of the PDB's namespace its selector matches (none for a missing selector, all for an empty one).</summary>
    private List<V1Pod> PodsOf(V1PodDisruptionBudget pdb)
    {
        var selector = pdb.Spec?.Selector;
        if (!LabelSelectors.IsWellFormed(selector))
        {
            throw new InvalidOperationException("the PDB's selector cannot be parsed");
        }

        return _pods.ByNamespace(pdb.Metadata.NamespaceProperty ?? string.Empty)
            .Where(p => LabelSelectors.Matches(selector, p.Metadata?.Labels))
            .ToList();
    }

    /// <summary>
    /// expectedPods and desiredHealthy: with maxUnavailable or a percentage minAvailable, the expected pods are the sum
    /// of the scales of the pods' controllers; with an integer minAvailable, the number of pods.
    /// </summary>
    private (int Expected, int Desired, List<string> Unmanaged) ExpectedPodCount(V1PodDisruptionBudget pdb, List<V1Pod> pods)
    {
        var spec = pdb.Spec ?? new V1PodDisruptionBudgetSpec();
        if (spec.MaxUnavailable is { } maxUnavailable)
        {
            var (expected, unmanaged) = ExpectedScale(pods);
            var desired = Math.Max(0, expected - Scaled(maxUnavailable, expected));
            return (expected, desired, unmanaged);
        }

        if (spec.MinAvailable is { } minAvailable)
        {
            if (IntOrStrings.IsInt(minAvailable, out var number))
            {
                return (pods.Count, number, []);
            }

            var (expected, unmanaged) = ExpectedScale(pods);
            return (expected, Scaled(minAvailable, expected), unmanaged);
        }

        return (0, 0, []);
    }

    // The sum over the pods' distinct controllers of their desired replicas; a pod without one is unmanaged.
    private (int Expected, List<string> Unmanaged) ExpectedScale(List<V1Pod> pods)
    {
        var scales = new Dictionary<string, int>(StringComparer.Ordinal);
        var unmanaged = new List<string>();
        foreach (var pod in pods)
        {
            var owner = OwnerReferences.ControllerOf(pod.Metadata);
            if (owner is null)
            {
                unmanaged.Add(pod.Metadata.Name);
                continue;
            }

            if (scales.ContainsKey(owner.Uid))
            {
                continue;
            }

            var (uid, scale) = ControllerScale(owner, pod.Metadata.NamespaceProperty ?? string.Empty)
                ?? throw new InvalidOperationException($"found no controllers for pod \"{pod.Metadata.Name}\"");
            scales[uid] = scale;
        }

        return (scales.Values.Sum(), unmanaged);
    }

    // Upstream's finders: a ReplicaSet not controlled by a Deployment counts its own replicas, one that is counts its
    // Deployment's. Other controllers (StatefulSets, ReplicationControllers, any scale subresource) Cetus does not run.
    private (string Uid, int Scale)? ControllerScale(V1OwnerReference owner, string ns)
    {
        if (owner.Kind != "ReplicaSet" || !owner.ApiVersion.StartsWith("apps/", StringComparison.Ordinal))
        {
            return null;
        }

        var rs = _replicaSets.Get(ns, owner.Name);
        if (rs is null || rs.Metadata.Uid != owner.Uid)
        {
            return null;
        }

        if (OwnerReferences.ControllerOf(rs.Metadata) is { Kind: "Deployment" } deploymentRef && deploymentRef.ApiVersion.StartsWith("apps/", StringComparison.Ordinal))
        {
            var deployment = _deployments.Get(ns, deploymentRef.Name);
            return deployment is null || deployment.Metadata.Uid != deploymentRef.Uid
                ? null
                : (deployment.Metadata.Uid, deployment.Spec?.Replicas ?? 1);
        }

        return (rs.Metadata.Uid, rs.Spec?.Replicas ?? 1);
    }

    // intstr.GetScaledValueFromIntOrPercent with rounding up.
    private static int Scaled(IntOrString value, int total) =>
        IntOrStrings.IsInt(value, out var number)
            ? number
            : IntOrStrings.Percent(value) is { } percent
                ? (int)Math.Ceiling(percent * total / 100.0)
                : throw new InvalidOperationException($"invalid value for IntOrString: invalid value \"{value.Value}\"");

    /// <summary>
    /// The entries of status.disruptedPods still to honour: pods not yet being deleted whose eviction is less than
    /// <see cref="DeletionTimeout"/> old; the earliest expiry is when to look again.
    /// </summary>
    private (Dictionary<string, DateTime?> Disrupted, DateTimeOffset? Recheck) DisruptedPods(List<V1Pod> pods, V1PodDisruptionBudget pdb, DateTimeOffset now)
    {
        var result = new Dictionary<string, DateTime?>(StringComparer.Ordinal);
        DateTimeOffset? recheck = null;
        if (pdb.Status?.DisruptedPods is not { } entries)
        {
            return (result, recheck);
        }

        foreach (var pod in pods)
        {
            if (pod.Metadata.DeletionTimestamp is not null || !entries.TryGetValue(pod.Metadata.Name, out var since) || since is null)
            {
                continue;
            }

            var expectedDeletion = Utc(since.Value) + DeletionTimeout;
            if (expectedDeletion < now)
            {
                _events.Event(pod, "Warning", "NotDeleted", $"Pod was expected by PDB {pdb.Metadata.NamespaceProperty}/{pdb.Metadata.Name} to be deleted but it wasn't");
                continue;
            }

            if (recheck is null || expectedDeletion < recheck)
            {
                recheck = expectedDeletion;
            }

            result[pod.Metadata.Name] = since;
        }

        return (result, recheck);
    }

    // Ready pods that are neither being deleted nor just evicted.
    private static int CountHealthy(List<V1Pod> pods, Dictionary<string, DateTime?> disrupted, DateTimeOffset now) =>
        pods.Count(pod => pod.Metadata.DeletionTimestamp is null
            && !(disrupted.TryGetValue(pod.Metadata.Name, out var since) && since is { } at && Utc(at) + DeletionTimeout > now)
            && PodConditions.IsReady(pod));

    private async Task UpdateStatusAsync(V1PodDisruptionBudget pdb, int healthy, int desired, int expected, Dictionary<string, DateTime?> disrupted, CancellationToken cancellationToken)
    {
        // expectedPods > 0 keeps a PDB that matched nothing safe when its first pods appear before its next sync.
        var allowed = expected <= 0 ? 0 : Math.Max(0, healthy - desired);
        var status = pdb.Status ?? new V1PodDisruptionBudgetStatus();
        var generation = pdb.Metadata.Generation ?? 0;
        if (status.CurrentHealthy == healthy && status.DesiredHealthy == desired && status.ExpectedPods == expected
            && status.DisruptionsAllowed == allowed && SameDisrupted(status.DisruptedPods, disrupted)
            && (status.ObservedGeneration ?? 0) == generation && ConditionUpToDate(pdb))
        {
            return;
        }

        var updated = Objects.Clone(pdb);
        updated.Status = new V1PodDisruptionBudgetStatus
        {
            CurrentHealthy = healthy,
            DesiredHealthy = desired,
            ExpectedPods = expected,
            DisruptionsAllowed = allowed,
            DisruptedPods = disrupted.Count == 0 ? null : disrupted,
            ObservedGeneration = generation,
            Conditions = updated.Status?.Conditions ?? [],
        };
        SetCondition(updated.Status, allowed > 0
            ? ("True", SufficientPodsReason, string.Empty)
            : ("False", InsufficientPodsReason, string.Empty));
        await _client.UpdateStatusAsync(updated, cancellationToken).ConfigureAwait(false);
    }

    // What is written when the status cannot be computed: no disruption allowed, and why.
    private async Task FailSafeAsync(V1PodDisruptionBudget pdb, string message, CancellationToken cancellationToken)
    {
        var updated = Objects.Clone(pdb);
        updated.Status ??= new V1PodDisruptionBudgetStatus();
        updated.Status.DisruptionsAllowed = 0;
        updated.Status.CurrentHealthy ??= 0;
        updated.Status.DesiredHealthy ??= 0;
        updated.Status.ExpectedPods ??= 0;
        updated.Status.Conditions ??= [];
        SetCondition(updated.Status, ("False", SyncFailedReason, message));
        await _client.UpdateStatusAsync(updated, cancellationToken).ConfigureAwait(false);
    }

    private bool ConditionUpToDate(V1PodDisruptionBudget pdb)
    {
        var condition = pdb.Status?.Conditions?.FirstOrDefault(c => c.Type == DisruptionAllowedCondition);
        if (condition is null || (pdb.Status!.ObservedGeneration ?? 0) != (pdb.Metadata.Generation ?? 0))
        {
            return false;
        }

        return pdb.Status.DisruptionsAllowed > 0
            ? condition.Status == "True" && condition.Reason == SufficientPodsReason
            : condition.Status == "False" && condition.Reason == InsufficientPodsReason;
    }

    // apimeta.SetStatusCondition: the transition time moves only when the status changes.
    private void SetCondition(V1PodDisruptionBudgetStatus status, (string Status, string Reason, string Message) condition)
    {
        var now = Truncate(_time.GetUtcNow());
        var existing = status.Conditions.FirstOrDefault(c => c.Type == DisruptionAllowedCondition);
        if (existing is null)
        {
            status.Conditions.Add(new V1Condition
            {
                Type = DisruptionAllowedCondition,
                Status = condition.Status,
                Reason = condition.Reason,
                Message = condition.Message,
                ObservedGeneration = status.ObservedGeneration,
                LastTransitionTime = now,
            });
            return;
        }

        if (existing.Status != condition.Status)
        {
            existing.LastTransitionTime = now;
        }

        existing.Status = condition.Status;
        existing.Reason = condition.Reason;
        existing.Message = condition.Message;
        existing.ObservedGeneration = status.ObservedGeneration;
    }

    private static bool SameDisrupted(IDictionary<string, DateTime?>? current, Dictionary<string, DateTime?> computed) =>
        (current?.Count ?? 0) == computed.Count
        && computed.All(e => current!.TryGetValue(e.Key, out var at) && at == e.Value);

    private static DateTimeOffset Utc(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));

    private static DateTime Truncate(DateTimeOffset now) => new(now.UtcDateTime.Ticks - (now.UtcDateTime.Ticks % TimeSpan.TicksPerSecond), DateTimeKind.Utc);

    // The selector as Go's %v prints a *metav1.LabelSelector.
    private static string SelectorText(V1LabelSelector? selector)
    {
        if (selector is null)
        {
            return "nil";
        }

        var labels = string.Join(" ", (selector.MatchLabels ?? new Dictionary<string, string>()).OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}:{p.Value}"));
        var expressions = string.Join(" ", (selector.MatchExpressions ?? []).Select(e => $"{{{e.Key} {e.OperatorProperty} [{string.Join(" ", e.Values ?? [])}]}}"));
        return $"&LabelSelector{{MatchLabels:map[string]string{{{labels}}},MatchExpressions:[]LabelSelectorRequirement{{{expressions}}},}}";
    }
}
