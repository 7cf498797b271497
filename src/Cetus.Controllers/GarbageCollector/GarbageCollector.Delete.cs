using System.Text.Json.Nodes;
using Cetus.Api.Validation;
using Cetus.Client.Dynamic;
using Cetus.Controllers.Common;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Cetus.Controllers.GarbageCollector;

/// <summary>The attemptToDelete and attemptToOrphan workers (garbagecollector.go).</summary>
public sealed partial class GarbageCollector
{
    /// <summary>
    /// Looks at one node: verifies it with a live GET (absent → a virtual delete), finishes a foreground deletion
    /// when its blocking dependents are gone, and deletes an object none of whose owners still exists.
    /// </summary>
    public async Task AttemptToDeleteAsync(string uid, CancellationToken cancellationToken)
    {
        if (Graph.Get(uid) is not { } node)
        {
            return;
        }

        try
        {
            await AttemptToDeleteItemAsync(node, cancellationToken).ConfigureAwait(false);
        }
        catch (PermanentException e)
        {
            _logger.LogInformation("{Controller}: not collecting {Item}: {Reason}", Name, node.Identity, e.Message);
            return;
        }

        // A virtual node that exists must be seen by an informer before the collector stops polling it
        // (https://issue.k8s.io/56121): look again later.
        if (Graph.Get(uid) is { Virtual: true })
        {
            throw new RetryException($"{node.Identity} has not been observed by an informer yet");
        }
    }

    /// <summary>Removes the owner's references from each of its dependents, then the owner's orphan finalizer.</summary>
    public async Task AttemptToOrphanAsync(string uid, CancellationToken cancellationToken)
    {
        if (Graph.Get(uid) is not { } owner)
        {
            return;
        }

        foreach (var dependent in owner.Dependents)
        {
            await RemoveOwnerReferencesAsync(dependent.Identity, [uid], cancellationToken).ConfigureAwait(false);
        }

        await RemoveFinalizerAsync(owner.Identity, FinalizerValidation.Orphan, cancellationToken).ConfigureAwait(false);
    }

    private async Task AttemptToDeleteItemAsync(NodeSnapshot item, CancellationToken cancellationToken)
    {
        if (item.BeingDeleted && !item.DeletingDependents)
        {
            // Being deleted already, and not waiting for its dependents: nothing to do.
            return;
        }

        var resource = Resource(item.Identity);
        var latest = await _client.GetAsync(resource, NamespaceFor(resource, item.Identity.Namespace), item.Identity.Name, cancellationToken).ConfigureAwait(false);
        if (latest is null || latest.Metadata.Uid != item.Identity.Uid)
        {
            _logger.LogDebug("{Controller}: {Item} is absent; a virtual delete event", Name, item.Identity);
            Graph.OnVirtualDelete(item.Identity);
            return;
        }

        if (item.DeletingDependents)
        {
            await ProcessDeletingDependentsAsync(item, cancellationToken).ConfigureAwait(false);
            return;
        }

        var owners = latest.Metadata.OwnerReferences ?? [];
        if (owners.Count == 0)
        {
            return;
        }

        var (solid, dangling, waiting) = await ClassifyReferencesAsync(item.Identity, owners, cancellationToken).ConfigureAwait(false);
        if (solid.Count > 0)
        {
            if (dangling.Count == 0 && waiting.Count == 0)
            {
                return;
            }

            // Some owner still exists: only the references to absent owners and to owners deleting their
            // dependents go, so that those owners can finish.
            _logger.LogInformation("{Controller}: {Item} has solid owners; removing its references to {Owners}", Name, item.Identity, string.Join(", ", dangling.Concat(waiting).Select(r => r.Uid)));
            await RemoveOwnerReferencesAsync(item.Identity, [.. dangling.Concat(waiting).Select(r => r.Uid)], cancellationToken).ConfigureAwait(false);
            return;
        }

        if (waiting.Count > 0 && item.Dependents.Count > 0)
        {
            if (item.Dependents.Any(d => d.DeletingDependents))
            {
                // A dependent of this item is itself waiting on its dependents: stop blocking our owners, or the
                // chain might never finish (upstream's simple cycle breaking).
                await UnblockOwnerReferencesAsync(item.Identity, latest, cancellationToken).ConfigureAwait(false);
            }

            _logger.LogInformation("{Controller}: an owner of {Item} is being deleted in the foreground; deleting it in the foreground", Name, item.Identity);
            await DeleteObjectAsync(resource, item.Identity, "Foreground", cancellationToken).ConfigureAwait(false);
            return;
        }

        // No owner left: collect it, keeping the propagation its own finalizers ask for.
        var finalizers = latest.Metadata.Finalizers ?? [];
        var policy = finalizers.Contains(FinalizerValidation.Orphan) ? "Orphan"
            : finalizers.Contains(FinalizerValidation.ForegroundDeletion) ? "Foreground"
            : "Background";
        _logger.LogInformation("{Controller}: deleting {Item} (its owners are gone), propagation {Policy}", Name, item.Identity, policy);
        await DeleteObjectAsync(resource, item.Identity, policy, cancellationToken).ConfigureAwait(false);
    }

    private async Task ProcessDeletingDependentsAsync(NodeSnapshot item, CancellationToken cancellationToken)
    {
        var blocking = item.Dependents.Where(d => d.BlocksOwnerDeletion).ToList();
        if (blocking.Count == 0)
        {
            _logger.LogInformation("{Controller}: {Item} has no blocking dependents left; removing the foregroundDeletion finalizer", Name, item.Identity);
            await RemoveFinalizerAsync(item.Identity, FinalizerValidation.ForegroundDeletion, cancellationToken).ConfigureAwait(false);
            return;
        }

        foreach (var dependent in blocking.Where(d => !d.DeletingDependents))
        {
            AttemptToDelete.Queue.Add(dependent.Identity.Uid);
        }
    }

    // Splits owner references into solid (the owner exists and is not deleting its dependents), dangling (no such
    // owner: absent, or another uid) and waiting (the owner is being deleted in the foreground).
    private async Task<(List<V1OwnerReference> Solid, List<V1OwnerReference> Dangling, List<V1OwnerReference> Waiting)> ClassifyReferencesAsync(
        ObjectIdentity item, IList<V1OwnerReference> references, CancellationToken cancellationToken)
    {
        List<V1OwnerReference> solid = [], dangling = [], waiting = [];
        foreach (var reference in references)
        {
            var owner = await OwnerOfAsync(item, reference, cancellationToken).ConfigureAwait(false);
            if (owner is null)
            {
                dangling.Add(reference);
            }
            else if (owner.Metadata.DeletionTimestamp is not null && owner.Metadata.Finalizers?.Contains(FinalizerValidation.ForegroundDeletion) == true)
            {
                waiting.Add(reference);
            }
            else
            {
                solid.Add(reference);
            }
        }

        return (solid, dangling, waiting);
    }

    // The owner a reference names, verified with a live GET; null when it is absent (not found, or another uid).
    private async Task<PartialObject?> OwnerOfAsync(ObjectIdentity item, V1OwnerReference reference, CancellationToken cancellationToken)
    {
        var resource = _mapper.Find(reference.ApiVersion, reference.Kind)
            ?? throw new RetryException($"unable to resolve the owner kind {reference.Kind} in {reference.ApiVersion} of {item}");
        if (item.Namespace is null && resource.Namespaced)
        {
            // A cluster-scoped object cannot have a namespaced owner; retrying would not change that.
            throw new PermanentException($"{item} is cluster-scoped but refers to a namespaced owner of kind {reference.Kind}");
        }

        var ns = resource.Namespaced ? item.Namespace : null;
        var absent = ObjectIdentity.OfOwner(reference, ns);
        if (Graph.IsKnownAbsent(absent))
        {
            return null;
        }

        var owner = await _client.GetAsync(resource, ns, reference.Name, cancellationToken).ConfigureAwait(false);
        if (owner is null || owner.Metadata.Uid != reference.Uid)
        {
            Graph.MarkAbsent(absent);
            return null;
        }

        return owner;
    }

    private async Task DeleteObjectAsync(ApiResource resource, ObjectIdentity identity, string policy, CancellationToken cancellationToken)
    {
        try
        {
            await _client.DeleteAsync(resource, NamespaceFor(resource, identity.Namespace), identity.Name, new V1DeleteOptions
            {
                PropagationPolicy = policy,
                Preconditions = new V1Preconditions { Uid = identity.Uid },
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (ApiErrors.IsNotFound(e) || ApiErrors.IsConflict(e))
        {
            // Gone already, or replaced by another object of the same name (the uid precondition failed).
        }
    }

    // Removes the owner references with these uids from an object, against the version read (409 → retried).
    private async Task RemoveOwnerReferencesAsync(ObjectIdentity identity, IReadOnlyCollection<string> ownerUids, CancellationToken cancellationToken)
    {
        var resource = Resource(identity);
        var ns = NamespaceFor(resource, identity.Namespace);
        var latest = await _client.GetAsync(resource, ns, identity.Name, cancellationToken).ConfigureAwait(false);
        if (latest is null || latest.Metadata.Uid != identity.Uid)
        {
            return;
        }

        var references = latest.Metadata.OwnerReferences ?? [];
        var kept = references.Where(r => !ownerUids.Contains(r.Uid)).ToList();
        if (kept.Count == references.Count)
        {
            return;
        }

        await PatchMetadataAsync(resource, ns, latest, "ownerReferences", kept.Count == 0 ? null : Json(kept), cancellationToken).ConfigureAwait(false);
    }

    private async Task UnblockOwnerReferencesAsync(ObjectIdentity identity, PartialObject latest, CancellationToken cancellationToken)
    {
        var references = latest.Metadata.OwnerReferences ?? [];
        if (!references.Any(r => r.BlockOwnerDeletion == true))
        {
            return;
        }

        var unblocked = references.Select(r =>
        {
            var copy = Cetus.Client.Objects.Clone(r);
            copy.BlockOwnerDeletion = copy.BlockOwnerDeletion == true ? false : copy.BlockOwnerDeletion;
            return copy;
        }).ToList();
        var resource = Resource(identity);
        await PatchMetadataAsync(resource, NamespaceFor(resource, identity.Namespace), latest, "ownerReferences", Json(unblocked), cancellationToken).ConfigureAwait(false);
    }

    private async Task RemoveFinalizerAsync(ObjectIdentity identity, string finalizer, CancellationToken cancellationToken)
    {
        var resource = Resource(identity);
        var ns = NamespaceFor(resource, identity.Namespace);
        var latest = await _client.GetAsync(resource, ns, identity.Name, cancellationToken).ConfigureAwait(false);
        if (latest is null || latest.Metadata.Uid != identity.Uid || latest.Metadata.Finalizers?.Contains(finalizer) != true)
        {
            return;
        }

        var kept = latest.Metadata.Finalizers.Where(f => f != finalizer).ToList();
        await PatchMetadataAsync(resource, ns, latest, "finalizers", kept.Count == 0 ? null : Json(kept), cancellationToken).ConfigureAwait(false);
    }

    // A JSON merge patch of one metadata field, conditional on the uid and resourceVersion read (upstream's
    // JSON merge patches for types without strategic merge); a conflict is retried by the queue.
    private async Task PatchMetadataAsync(ApiResource resource, string? ns, PartialObject latest, string field, JsonNode? value, CancellationToken cancellationToken)
    {
        var patch = new JsonObject
        {
            ["metadata"] = new JsonObject
            {
                [field] = value,
                ["uid"] = latest.Metadata.Uid,
                ["resourceVersion"] = latest.Metadata.ResourceVersion,
            },
        };
        try
        {
            await _client.MergePatchAsync(resource, ns, latest.Metadata.Name, patch.ToJsonString(), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (ApiErrors.IsNotFound(e))
        {
        }
    }

    private static JsonNode? Json<T>(T value) => JsonNode.Parse(KubernetesJson.Serialize(value));

    private ApiResource Resource(ObjectIdentity identity) =>
        _mapper.Find(identity.ApiVersion, identity.Kind) ?? throw new RetryException($"unable to resolve the kind {identity.Kind} in {identity.ApiVersion}");

    private static string? NamespaceFor(ApiResource resource, string? ns) => resource.Namespaced ? ns : null;
}
