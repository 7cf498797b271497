using Cetus.Api.Scheme;
using Cetus.Api.Validation;
using Cetus.ApiServer.Errors;
using k8s;
using k8s.Models;

namespace Cetus.ApiServer.Handlers;

/// <summary>
/// The namespace lifecycle as kube-apiserver runs it: the NamespaceLifecycle admission plugin refuses to delete the
/// immortal namespaces; the namespace registry turns the first DELETE into Terminating (deletionTimestamp set, the GC's
/// propagation finalizers adjusted) and removes the namespace only once spec.finalizers is empty as well.
/// </summary>
internal static class NamespaceDeletion
{
    /// <summary>The namespaces that may never be deleted (plugin/pkg/admission/namespace/lifecycle).</summary>
    public static readonly IReadOnlySet<string> Immortal = new HashSet<string>(StringComparer.Ordinal) { "default", "kube-system", "kube-public" };

    /// <summary>True for core/v1 namespaces.</summary>
    public static bool IsNamespaces(ResourceDefinition definition) => definition.Group.Length == 0 && definition.Plural == "namespaces";

    /// <summary>403 for default, kube-system and kube-public.</summary>
    public static void RefuseImmortal(string name)
    {
        if (Immortal.Contains(name))
        {
            throw Problems.Forbidden(string.Empty, "namespaces", name, "this namespace may not be deleted");
        }
    }

    /// <summary>
    /// The namespace to store for a DELETE, and whether it differs from the stored one; null when the namespace
    /// is already terminating with no spec.finalizers left, so the ordinary deletion (metadata.finalizers) applies.
    /// </summary>
    public static (IKubernetesObject<V1ObjectMeta> Item, bool Changed)? Terminate(V1Namespace current, IKubernetesObject<V1ObjectMeta> clone, V1DeleteOptions options, DateTimeOffset now)
    {
        if (current.Metadata.DeletionTimestamp is not null)
        {
            // Already terminating: nothing changes until the namespace controller has finalized it.
            return current.Spec?.Finalizers is { Count: > 0 } ? (current, false) : null;
        }

        var ns = (V1Namespace)clone;
        ns.Metadata.DeletionTimestamp = now.UtcDateTime;
        ns.Metadata.DeletionGracePeriodSeconds = 0;
        ns.Status ??= new V1NamespaceStatus();
        ns.Status.Phase = "Terminating";
        var finalizers = ns.Metadata.Finalizers ?? [];
        var orphan = options.OrphanDependents ?? (options.PropagationPolicy is { } p ? p == "Orphan" : finalizers.Contains(FinalizerValidation.Orphan));
        var foreground = options.OrphanDependents is not null ? false : options.PropagationPolicy is { } q ? q == "Foreground" : finalizers.Contains(FinalizerValidation.ForegroundDeletion);
        var kept = finalizers.Where(f => f is not (FinalizerValidation.Orphan or FinalizerValidation.ForegroundDeletion)).ToList();
        if (orphan)
        {
            kept.Add(FinalizerValidation.Orphan);
        }

        if (foreground)
        {
            kept.Add(FinalizerValidation.ForegroundDeletion);
        }

        ns.Metadata.Finalizers = kept.Count == 0 ? null : kept;
        return (ns, true);
    }

    /// <summary>
    /// PUT namespaces/{name}/finalize: only spec.finalizers changes (each a valid finalizer name); metadata and
    /// status stay as stored.
    /// </summary>
    public static IReadOnlyList<FieldError> Finalize(V1Namespace item, V1Namespace old)
    {
        var finalizers = item.Spec?.Finalizers;
        item.Metadata = Cetus.Api.Json.KubeJson.Deserialize<V1ObjectMeta>(Cetus.Api.Json.KubeJson.Serialize(old.Metadata))!;
        item.Status = old.Status;
        item.Spec = new V1NamespaceSpec { Finalizers = finalizers is { Count: > 0 } ? [.. finalizers] : null };
        var path = FieldPath.Root("spec").Child("finalizers");
        return [.. (finalizers ?? []).SelectMany(f => FinalizerValidation.QualifiedName(f ?? string.Empty, path).Concat(FinalizerValidation.Standard(f ?? string.Empty, path)))];
    }

    /// <summary>A namespace goes when it is being deleted and both its metadata.finalizers and spec.finalizers are empty.</summary>
    public static bool ShouldDeleteDuringUpdate(IKubernetesObject<V1ObjectMeta> item) =>
        item.Metadata.DeletionTimestamp is not null
        && item.Metadata.Finalizers is not { Count: > 0 }
        && (item is not V1Namespace ns || ns.Spec?.Finalizers is not { Count: > 0 });
}
