using Cetus.Api.Scheme;
using k8s.Models;

namespace Cetus.Api.Validation;

/// <summary>The rules of <c>metav1/validation.ValidateLabelSelector</c> (label values in requirements checked strictly).</summary>
internal static class LabelSelectorValidation
{
    public static IEnumerable<FieldError> Selector(V1LabelSelector? selector, FieldPath path)
    {
        if (selector is null)
        {
            yield break;
        }

        foreach (var error in LabelValidation.Labels(selector.MatchLabels, path.Child("matchLabels")))
        {
            yield return error;
        }

        for (var i = 0; i < (selector.MatchExpressions?.Count ?? 0); i++)
        {
            foreach (var error in Requirement(selector.MatchExpressions![i], path.Child("matchExpressions").Index(i)))
            {
                yield return error;
            }
        }
    }

    private static IEnumerable<FieldError> Requirement(V1LabelSelectorRequirement requirement, FieldPath path)
    {
        var values = requirement.Values ?? [];
        switch (requirement.OperatorProperty)
        {
            case "In" or "NotIn":
                if (values.Count == 0)
                {
                    yield return FieldErrors.Required(path.Child("values"), "must be specified when `operator` is 'In' or 'NotIn'");
                }

                break;
            case "Exists" or "DoesNotExist":
                if (values.Count > 0)
                {
                    yield return FieldErrors.Forbidden(path.Child("values"), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'");
                }

                break;
            default:
                yield return FieldErrors.Invalid(path.Child("operator"), requirement.OperatorProperty ?? "", "not a valid selector operator");
                break;
        }

        foreach (var error in LabelValidation.LabelName(requirement.Key ?? "", path.Child("key")))
        {
            yield return error;
        }

        for (var i = 0; i < values.Count; i++)
        {
            foreach (var message in QualifiedNames.IsLabelValue(values[i] ?? ""))
            {
                yield return FieldErrors.Invalid(path.Child("values").Index(i), values[i] ?? "", message);
            }
        }
    }
}
