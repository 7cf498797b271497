using Cetus.Api.Scheme;
using k8s.Models;

namespace Cetus.Api.Validation;

/// <summary>
/// ObjectMeta rules of apimachinery's <c>ValidateObjectMeta</c> and <c>ValidateObjectMetaUpdate</c> (with core's
/// check of unprefixed finalizer names). The name rule is the kind's.
/// </summary>
public static class ObjectMetaValidation
{
    private static readonly FieldPath Metadata = FieldPath.Root("metadata");

    /// <summary>Metadata on create: name (or generateName), namespace, generation, labels, annotations, owners, finalizers.</summary>
    public static IEnumerable<FieldError> ValidateCreate(V1ObjectMeta? meta, bool namespaced, NameValidator nameRule, FieldPath? path = null)
    {
        ArgumentNullException.ThrowIfNull(nameRule);
        path ??= Metadata;
        meta ??= new V1ObjectMeta();
        var errors = new List<FieldError>();
        if (!string.IsNullOrEmpty(meta.GenerateName))
        {
            errors.AddRange(nameRule(meta.GenerateName, true).Select(m => FieldErrors.Invalid(path.Child("generateName"), meta.GenerateName, m)));
        }

        if (string.IsNullOrEmpty(meta.Name))
        {
            errors.Add(FieldErrors.Required(path.Child("name"), "name or generateName is required"));
        }
        else
        {
            errors.AddRange(nameRule(meta.Name, false).Select(m => FieldErrors.Invalid(path.Child("name"), meta.Name, m)));
        }

        if (namespaced)
        {
            if (string.IsNullOrEmpty(meta.NamespaceProperty))
            {
                errors.Add(FieldErrors.Required(path.Child("namespace")));
            }
            else
            {
                errors.AddRange(NameValidators.DnsLabel(meta.NamespaceProperty, false).Select(m => FieldErrors.Invalid(path.Child("namespace"), meta.NamespaceProperty, m)));
            }
        }
        else if (!string.IsNullOrEmpty(meta.NamespaceProperty))
        {
            errors.Add(FieldErrors.Forbidden(path.Child("namespace"), "not allowed on this type"));
        }

        errors.AddRange(FieldErrors.NonNegative(meta.Generation, path.Child("generation")));
        errors.AddRange(Common(meta, path));
        return errors;
    }

    /// <summary>Metadata on update: what may never change, and the create rules that still apply.</summary>
    public static IEnumerable<FieldError> ValidateUpdate(V1ObjectMeta? meta, V1ObjectMeta? old, FieldPath? path = null)
    {
        path ??= Metadata;
        meta ??= new V1ObjectMeta();
        old ??= new V1ObjectMeta();
        var errors = new List<FieldError>();
        if (old.DeletionTimestamp is not null)
        {
            var added = (meta.Finalizers ?? []).Except(old.Finalizers ?? [], StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
            if (added.Count > 0)
            {
                errors.Add(FieldErrors.Forbidden(path.Child("finalizers"), "no new finalizers can be added if the object is being deleted, found new finalizers " + GoSyntax.StringSlice(added).Text));
            }
        }

        if (string.IsNullOrEmpty(meta.ResourceVersion))
        {
            errors.Add(FieldErrors.Invalid(path.Child("resourceVersion"), "", "must be specified for an update"));
        }

        if ((meta.Generation ?? 0) < (old.Generation ?? 0))
        {
            errors.Add(FieldErrors.Invalid(path.Child("generation"), meta.Generation ?? 0, "must not be decremented"));
        }

        Immutable(errors, path.Child("name"), meta.Name ?? "", old.Name ?? "");
        Immutable(errors, path.Child("namespace"), meta.NamespaceProperty ?? "", old.NamespaceProperty ?? "");
        Immutable(errors, path.Child("uid"), meta.Uid ?? "", old.Uid ?? "");
        if (meta.CreationTimestamp != old.CreationTimestamp)
        {
            errors.Add(FieldErrors.Immutable(path.Child("creationTimestamp"), GoSyntax.Time(meta.CreationTimestamp ?? DateTime.MinValue)));
        }

        if (meta.DeletionTimestamp != old.DeletionTimestamp)
        {
            errors.Add(FieldErrors.Immutable(path.Child("deletionTimestamp"), GoSyntax.Time(meta.DeletionTimestamp)));
        }

        if (meta.DeletionGracePeriodSeconds != old.DeletionGracePeriodSeconds)
        {
            errors.Add(FieldErrors.Immutable(path.Child("deletionGracePeriodSeconds"), meta.DeletionGracePeriodSeconds));
        }

        errors.AddRange(Common(meta, path));
        return errors;
    }

    private static IEnumerable<FieldError> Common(V1ObjectMeta meta, FieldPath path) =>
        LabelValidation.Labels(meta.Labels, path.Child("labels"))
            .Concat(AnnotationValidation.Annotations(meta.Annotations, path.Child("annotations")))
            .Concat(OwnerReferenceValidation.OwnerReferences(meta.OwnerReferences, path.Child("ownerReferences")))
            .Concat(FinalizerValidation.MetadataFinalizers(meta.Finalizers, path.Child("finalizers")));

    private static void Immutable(List<FieldError> errors, FieldPath path, string value, string old)
    {
        if (!string.Equals(value, old, StringComparison.Ordinal))
        {
            errors.Add(FieldErrors.Immutable(path, value));
        }
    }
}
