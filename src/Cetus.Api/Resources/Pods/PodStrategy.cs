using Cetus.Api.Scheme;
using Cetus.Api.Validation;
using k8s.Models;

namespace Cetus.Api.Resources.Pods;

/// <summary>
/// Pods (pkg/registry/core/pod): created Pending with their QoS class; the spec is fixed but for images, deadlines,
/// tolerations and scheduling gates; a status update keeps spec and owners.
/// </summary>
internal sealed class PodStrategy : ResourceStrategy<V1Pod>
{
    private static readonly FieldPath Spec = FieldPath.Root("spec");

    /// <inheritdoc />
    protected override void PrepareForCreate(V1Pod item)
    {
        item.Status = new V1PodStatus { Phase = "Pending", QosClass = PodQos.Compute(item.Spec) };
    }

    /// <inheritdoc />
    protected override void PrepareForStatusUpdate(V1Pod item, V1Pod old)
    {
        item.Spec = old.Spec;
        item.Metadata ??= new V1ObjectMeta();

        // Old kubelets corrupt owner references through pods/status, which would break garbage collection.
        item.Metadata.OwnerReferences = old.Metadata?.OwnerReferences;
        if (item.Status is not null && string.IsNullOrEmpty(item.Status.QosClass))
        {
            item.Status.QosClass = old.Status?.QosClass;
        }
    }

    /// <inheritdoc />
    protected override void Default(V1Pod item) => PodDefaults.Apply(item);

    /// <inheritdoc />
    protected override IReadOnlyList<FieldError> ValidateCreate(V1Pod item)
    {
        var errors = MetadataAndSpec(item);
        if ((item.Spec?.EphemeralContainers?.Count ?? 0) > 0)
        {
            errors.Add(FieldErrors.Forbidden(Spec.Child("ephemeralContainers"), "cannot be set on create"));
        }

        if (!string.IsNullOrEmpty(item.Spec?.NodeName) && (item.Spec.SchedulingGates?.Count ?? 0) > 0)
        {
            errors.Add(FieldErrors.Forbidden(Spec.Child("nodeName"), "cannot be set until all schedulingGates have been cleared"));
        }

        return errors;
    }

    /// <inheritdoc />
    protected override IReadOnlyList<FieldError> ValidateUpdate(V1Pod item, V1Pod old) =>
        ObjectMetaValidation.ValidateUpdate(item.Metadata, old.Metadata)
            .Concat(MetadataAndSpec(item))
            .Concat(PodUpdateValidation.Validate(item, old))
            .Concat(PodUpdateValidation.Status(item, old))
            .Distinct()
            .ToList();

    /// <inheritdoc />
    protected override void AddSelectableFields(V1Pod item, Dictionary<string, string> fields)
    {
        fields["spec.nodeName"] = item.Spec?.NodeName ?? "";
        fields["spec.restartPolicy"] = item.Spec?.RestartPolicy ?? "";
        fields["spec.schedulerName"] = item.Spec?.SchedulerName ?? "";
        fields["spec.serviceAccountName"] = item.Spec?.ServiceAccountName ?? "";
        fields["spec.hostNetwork"] = item.Spec?.HostNetwork == true ? "true" : "false";
        fields["status.phase"] = item.Status?.Phase ?? "";
        fields["status.podIP"] = item.Status?.PodIPs?.FirstOrDefault()?.Ip ?? item.Status?.PodIP ?? "";
        fields["status.nominatedNodeName"] = item.Status?.NominatedNodeName ?? "";
    }

    // ValidatePodCreate and ValidatePodUpdate share this (validatePodMetadataAndSpec).
    private static List<FieldError> MetadataAndSpec(V1Pod item)
    {
        var errors = ObjectMetaValidation.ValidateCreate(item.Metadata, namespaced: true, NameValidators.DnsSubdomain).ToList();
        errors.AddRange(PodSpecValidation.Spec(item.Spec, Spec, isPod: true));
        for (var i = 0; i < (item.Spec?.Containers?.Count ?? 0); i++)
        {
            errors.AddRange(ImageWhitespace(item.Spec!.Containers[i].Image, Spec.Child("containers").Index(i).Child("image")));
        }

        for (var i = 0; i < (item.Spec?.InitContainers?.Count ?? 0); i++)
        {
            errors.AddRange(ImageWhitespace(item.Spec!.InitContainers[i].Image, Spec.Child("initContainers").Index(i).Child("image")));
        }

        return errors;
    }

    private static IEnumerable<FieldError> ImageWhitespace(string? image, FieldPath path)
    {
        if (image is not null && image.Trim().Length != image.Length)
        {
            yield return FieldErrors.Invalid(path, image, "must not have leading or trailing whitespace");
        }
    }
}
