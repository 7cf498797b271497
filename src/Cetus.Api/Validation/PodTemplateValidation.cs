using Cetus.Api.Scheme;
using k8s.Models;

namespace Cetus.Api.Validation;

/// <summary>Pod templates of workloads (<c>ValidatePodTemplateSpec</c> and the ReplicaSet/Deployment template rules).</summary>
internal static class PodTemplateValidation
{
    /// <summary>Template labels and annotations, its pod spec, and no ephemeral containers.</summary>
    public static IEnumerable<FieldError> Template(V1PodTemplateSpec template, FieldPath path)
    {
        var errors = new List<FieldError>();
        errors.AddRange(LabelValidation.Labels(template.Metadata?.Labels, path.Child("labels")));
        errors.AddRange(AnnotationValidation.Annotations(template.Metadata?.Annotations, path.Child("annotations")));
        errors.AddRange(PodSpecValidation.Spec(template.Spec, path.Child("spec"), isPod: false));
        if ((template.Spec?.EphemeralContainers?.Count ?? 0) > 0)
        {
            errors.Add(FieldErrors.Forbidden(path.Child("spec", "ephemeralContainers"), "ephemeral containers not allowed in pod template"));
        }

        return errors;
    }

    /// <summary>
    /// A ReplicaSet's or Deployment's template: required, labels matched by the selector, a valid template,
    /// restartPolicy Always and no activeDeadlineSeconds (its pods are replaced, never finished).
    /// </summary>
    public static IEnumerable<FieldError> ForReplicaSet(V1PodTemplateSpec? template, V1LabelSelector? selector, FieldPath path)
    {
        var errors = new List<FieldError>();
        if (template is null)
        {
            errors.Add(FieldErrors.Required(path));
            return errors;
        }

        // A null selector selects nothing, so it never matches; an empty one selects everything and is not checked.
        if (!LabelSelectors.IsEmpty(selector) && !LabelSelectors.Matches(selector, template.Metadata?.Labels))
        {
            errors.Add(FieldErrors.Invalid(path.Child("metadata", "labels"), GoSyntax.StringMap(template.Metadata?.Labels), "`selector` does not match template `labels`"));
        }

        errors.AddRange(Template(template, path));
        if (template.Spec?.RestartPolicy != "Always")
        {
            errors.Add(FieldErrors.NotSupported(path.Child("spec", "restartPolicy"), template.Spec?.RestartPolicy ?? "", ["Always"]));
        }

        if (template.Spec?.ActiveDeadlineSeconds is not null)
        {
            errors.Add(FieldErrors.Forbidden(path.Child("spec", "activeDeadlineSeconds"), "activeDeadlineSeconds in ReplicaSet is not Supported"));
        }

        return errors;
    }
}
