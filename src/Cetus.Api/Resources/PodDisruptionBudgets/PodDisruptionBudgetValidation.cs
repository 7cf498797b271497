using System.Text.RegularExpressions;
using Cetus.Api.Scheme;
using Cetus.Api.Validation;
using k8s.Models;

namespace Cetus.Api.Resources.PodDisruptionBudgets;

/// <summary>A PodDisruptionBudget's spec and status (pkg/apis/policy/validation).</summary>
internal static partial class PodDisruptionBudgetValidation
{
    /// <summary>The eviction policy for unhealthy pods: evicted only while the budget allows it (the default).</summary>
    public const string IfHealthyBudget = "IfHealthyBudget";

    /// <summary>The eviction policy for unhealthy pods: always evicted, whatever the budget.</summary>
    public const string AlwaysAllow = "AlwaysAllow";

    private static readonly FieldPath SpecPath = FieldPath.Root("spec");
    private static readonly FieldPath StatusPath = FieldPath.Root("status");

    public static IEnumerable<FieldError> Spec(V1PodDisruptionBudgetSpec? spec)
    {
        spec ??= new V1PodDisruptionBudgetSpec();
        var errors = new List<FieldError>();
        if (spec.MinAvailable is not null && spec.MaxUnavailable is not null)
        {
            errors.Add(FieldErrors.Invalid(SpecPath, GoSyntax(spec), "minAvailable and maxUnavailable cannot be both set"));
        }

        foreach (var (value, name) in new[] { (spec.MinAvailable, "minAvailable"), (spec.MaxUnavailable, "maxUnavailable") })
        {
            if (value is not null)
            {
                errors.AddRange(IntOrStrings.PositiveIntOrPercent(value, SpecPath.Child(name)));
                errors.AddRange(IntOrStrings.NotMoreThan100Percent(value, SpecPath.Child(name)));
            }
        }

        errors.AddRange(LabelSelectorValidation.Selector(spec.Selector, SpecPath.Child("selector")));
        if (spec.UnhealthyPodEvictionPolicy is { } policy && policy is not (IfHealthyBudget or AlwaysAllow))
        {
            errors.Add(FieldErrors.NotSupported(SpecPath.Child("unhealthyPodEvictionPolicy"), policy, [AlwaysAllow, IfHealthyBudget]));
        }

        return errors;
    }

    public static IEnumerable<FieldError> Status(V1PodDisruptionBudgetStatus? status)
    {
        status ??= new V1PodDisruptionBudgetStatus();
        return Conditions(status.Conditions, StatusPath.Child("conditions"))
            .Concat(FieldErrors.NonNegative(status.DisruptionsAllowed, StatusPath.Child("disruptionsAllowed")))
            .Concat(FieldErrors.NonNegative(status.CurrentHealthy, StatusPath.Child("currentHealthy")))
            .Concat(FieldErrors.NonNegative(status.DesiredHealthy, StatusPath.Child("desiredHealthy")))
            .Concat(FieldErrors.NonNegative(status.ExpectedPods, StatusPath.Child("expectedPods")));
    }

    // metav1/validation.ValidateConditions.
    private static IEnumerable<FieldError> Conditions(IList<V1Condition>? conditions, FieldPath path)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < (conditions?.Count ?? 0); i++)
        {
            var condition = conditions![i];
            var at = path.Index(i);
            foreach (var message in QualifiedNames.IsQualifiedName(condition.Type ?? string.Empty))
            {
                yield return FieldErrors.Invalid(at.Child("type"), condition.Type ?? string.Empty, message);
            }

            if (condition.Type is { } type && !seen.Add(type))
            {
                yield return FieldErrors.Duplicate(at.Child("type"), type);
            }

            if (condition.Status is not ("True" or "False" or "Unknown"))
            {
                yield return FieldErrors.NotSupported(at.Child("status"), condition.Status ?? string.Empty, ["False", "True", "Unknown"]);
            }

            if (condition.ObservedGeneration < 0)
            {
                yield return FieldErrors.Invalid(at.Child("observedGeneration"), condition.ObservedGeneration.Value, "must be greater than or equal to zero");
            }

            if (condition.LastTransitionTime == default)
            {
                yield return FieldErrors.Required(at.Child("lastTransitionTime"), "must be set");
            }

            if (string.IsNullOrEmpty(condition.Reason))
            {
                yield return FieldErrors.Required(at.Child("reason"), "must be set");
            }
            else if (!ReasonFormat().IsMatch(condition.Reason) || condition.Reason.Length > 1024)
            {
                yield return FieldErrors.Invalid(at.Child("reason"), condition.Reason,
                    ValidationText.Regex("a condition reason must start with alphabetic character, optionally followed by a string of alphanumeric characters or '_,:', and must end with an alphanumeric character or '_'", "[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?", "my_name", "MY_NAME", "MyName", "ReasonA,ReasonB", "ReasonA:ReasonB"));
            }

            if (condition.Message?.Length > 32768)
            {
                yield return FieldErrors.TooLong(at.Child("message"), 32768);
            }
        }
    }

    // The spec as Go's %#v prints the internal policy.PodDisruptionBudgetSpec (pointers as addresses).
    private static GoLiteral GoSyntax(V1PodDisruptionBudgetSpec spec)
    {
        static string Pointer(object? value, string type) => value is null ? $"({type})(nil)" : $"({type})(0xc000000000)";
        return new GoLiteral(
            $"policy.PodDisruptionBudgetSpec{{MinAvailable:{Pointer(spec.MinAvailable, "*intstr.IntOrString")}, " +
            $"Selector:{Pointer(spec.Selector, "*v1.LabelSelector")}, MaxUnavailable:{Pointer(spec.MaxUnavailable, "*intstr.IntOrString")}, " +
            $"UnhealthyPodEvictionPolicy:{Pointer(spec.UnhealthyPodEvictionPolicy, "*policy.UnhealthyPodEvictionPolicyType")}}}");
    }

    [GeneratedRegex("^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?\\z", RegexOptions.CultureInvariant)]
    private static partial Regex ReasonFormat();
}
