using Cetus.Api.Scheme;
using k8s.Models;

namespace Cetus.Api.Validation;

/// <summary>What Deployments and ReplicaSets share: replica counts, a required non-empty selector, a matching template.</summary>
internal static class WorkloadValidation
{
    /// <summary>
    /// spec.selector and spec.template. A selector that cannot be parsed hides the template checks, as upstream;
    /// a missing one selects nothing and so also fails the label match.
    /// </summary>
    public static IEnumerable<FieldError> SelectorAndTemplate(V1LabelSelector? selector, V1PodTemplateSpec? template, FieldPath spec)
    {
        var errors = new List<FieldError>();
        var selectorPath = spec.Child("selector");
        if (selector is null)
        {
            errors.Add(FieldErrors.Required(selectorPath));
        }
        else
        {
            errors.AddRange(LabelSelectorValidation.Selector(selector, selectorPath));
            if (LabelSelectors.IsEmpty(selector))
            {
                // Upstream says "deployment" for ReplicaSets too.
                errors.Add(FieldErrors.Invalid(selectorPath, GoSyntax.LabelSelector(selector), "empty selector is invalid for deployment"));
            }
        }

        if (!LabelSelectors.IsWellFormed(selector))
        {
            errors.Add(FieldErrors.Invalid(selectorPath, GoSyntax.LabelSelector(selector), "invalid label selector"));
        }
        else
        {
            errors.AddRange(PodTemplateValidation.ForReplicaSet(template, selector, spec.Child("template")));
        }

        return errors;
    }

    /// <summary>A spec.selector that changed on update: immutable since apps/v1.</summary>
    public static IEnumerable<FieldError> ImmutableSelector(V1LabelSelector? selector, V1LabelSelector? old, FieldPath spec)
    {
        if (!JsonEquality.Same(selector, old))
        {
            yield return FieldErrors.Immutable(spec.Child("selector"), GoSyntax.LabelSelector(selector));
        }
    }

    /// <summary>Replica counts of a status: none negative, none above status.replicas, available at most ready.</summary>
    public static IEnumerable<FieldError> ReplicaCounts(FieldPath status, long replicas, params (string Field, long Value, bool Bounded)[] counts)
    {
        var errors = new List<FieldError>();
        errors.AddRange(FieldErrors.NonNegative(replicas, status.Child("replicas")));
        foreach (var (field, value, _) in counts)
        {
            errors.AddRange(FieldErrors.NonNegative(value, status.Child(field)));
        }

        foreach (var (field, value, bounded) in counts)
        {
            if (bounded && value > replicas)
            {
                errors.Add(FieldErrors.Invalid(status.Child(field), value, "cannot be greater than status.replicas"));
            }
        }

        var ready = counts.FirstOrDefault(c => c.Field == "readyReplicas").Value;
        var available = counts.FirstOrDefault(c => c.Field == "availableReplicas").Value;
        if (available > ready)
        {
            errors.Add(FieldErrors.Invalid(status.Child("availableReplicas"), available, "cannot be greater than readyReplicas"));
        }

        return errors;
    }
}
