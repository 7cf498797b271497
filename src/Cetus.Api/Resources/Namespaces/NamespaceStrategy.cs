using Cetus.Api.Scheme;
using Cetus.Api.Validation;
using k8s.Models;

namespace Cetus.Api.Resources.Namespaces;

/// <summary>
/// Namespaces (pkg/registry/core/namespace): created Active with the "kubernetes" finalizer, labelled with their
/// name; spec.finalizers changes only through the finalize subresource.
/// </summary>
internal sealed class NamespaceStrategy : ResourceStrategy<V1Namespace>
{
    /// <summary>The label every namespace carries with its own name.</summary>
    public const string NameLabel = "kubernetes.io/metadata.name";

    private static readonly FieldPath Finalizers = FieldPath.Root("spec").Child("finalizers");

    /// <inheritdoc />
    protected override void PrepareForCreate(V1Namespace item)
    {
        item.Status = new V1NamespaceStatus { Phase = "Active" };
        var spec = item.Spec ??= new V1NamespaceSpec();
        if (!(spec.Finalizers ?? []).Contains(FinalizerValidation.Kubernetes))
        {
            (spec.Finalizers ??= []).Add(FinalizerValidation.Kubernetes);
        }
    }

    /// <inheritdoc />
    protected override void PrepareForUpdate(V1Namespace item, V1Namespace old)
    {
        item.Status = old.Status;
        item.Spec ??= new V1NamespaceSpec();
        item.Spec.Finalizers = old.Spec?.Finalizers;
    }

    /// <inheritdoc />
    protected override void Default(V1Namespace item)
    {
        // A namespace being created with generateName has no name yet, so no label either.
        if (!string.IsNullOrEmpty(item.Metadata?.Name))
        {
            (item.Metadata.Labels ??= new Dictionary<string, string>())[NameLabel] = item.Metadata.Name;
        }

        if (item.Status is not null && string.IsNullOrEmpty(item.Status.Phase))
        {
            item.Status.Phase = "Active";
        }
    }

    /// <inheritdoc />
    protected override IReadOnlyList<FieldError> ValidateCreate(V1Namespace item) =>
        ObjectMetaValidation.ValidateCreate(item.Metadata, namespaced: false, NameValidators.DnsLabel)
            .Concat(SpecFinalizers(item.Spec))
            .ToList();

    /// <inheritdoc />
    protected override IReadOnlyList<FieldError> ValidateUpdate(V1Namespace item, V1Namespace old)
    {
        var errors = ObjectMetaValidation.ValidateUpdate(item.Metadata, old.Metadata).ToList();
        var phase = item.Status?.Phase ?? "";
        var path = FieldPath.Root("status").Child("Phase");
        if (item.Metadata?.DeletionTimestamp is null)
        {
            if (phase != "Active")
            {
                errors.Add(FieldErrors.Invalid(path, phase, "may only be 'Active' if `deletionTimestamp` is empty"));
            }
        }
        else if (phase != "Terminating")
        {
            errors.Add(FieldErrors.Invalid(path, phase, "may only be 'Terminating' if `deletionTimestamp` is not empty"));
        }

        return errors;
    }

    /// <inheritdoc />
    protected override void AddSelectableFields(V1Namespace item, Dictionary<string, string> fields)
    {
        fields["status.phase"] = item.Status?.Phase ?? "";

        // Upstream keeps selecting on "name" as well, for compatibility.
        fields["name"] = item.Metadata?.Name ?? "";
    }

    // Like upstream, errors name the list, not the item.
    private static IEnumerable<FieldError> SpecFinalizers(V1NamespaceSpec? spec) =>
        (spec?.Finalizers ?? []).SelectMany(f => FinalizerValidation.QualifiedName(f ?? "", Finalizers).Concat(FinalizerValidation.Standard(f ?? "", Finalizers)));
}
