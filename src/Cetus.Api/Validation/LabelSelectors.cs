using k8s.Models;

namespace Cetus.Api.Validation;

/// <summary>
/// Label selectors as <c>metav1.LabelSelectorAsSelector</c> reads them: null selects nothing, an empty selector
/// everything; matchLabels and matchExpressions must all hold.
/// </summary>
public static class LabelSelectors
{
    /// <summary>True when the selector has no requirement (and so selects everything).</summary>
    public static bool IsEmpty(V1LabelSelector? selector) =>
        selector is not null && (selector.MatchLabels?.Count ?? 0) == 0 && (selector.MatchExpressions?.Count ?? 0) == 0;

    /// <summary>True when the selector can be turned into a selector: known operators, values present where needed.</summary>
    public static bool IsWellFormed(V1LabelSelector? selector)
    {
        foreach (var requirement in selector?.MatchExpressions ?? [])
        {
            var values = requirement.Values?.Count ?? 0;
            var ok = requirement.OperatorProperty switch
            {
                "In" or "NotIn" => values > 0,
                "Exists" or "DoesNotExist" => values == 0,
                _ => false,
            };
            if (!ok || QualifiedNames.IsQualifiedName(requirement.Key ?? "").Count > 0)
            {
                return false;
            }
        }

        return (selector?.MatchLabels ?? new Dictionary<string, string>()).All(e =>
            QualifiedNames.IsQualifiedName(e.Key).Count == 0 && QualifiedNames.IsLabelValue(e.Value ?? "").Count == 0);
    }

    /// <summary>True when <paramref name="labels"/> satisfy every requirement of <paramref name="selector"/>.</summary>
    public static bool Matches(V1LabelSelector? selector, IDictionary<string, string>? labels)
    {
        if (selector is null)
        {
            return false;
        }

        labels ??= new Dictionary<string, string>();
        foreach (var (key, value) in selector.MatchLabels ?? new Dictionary<string, string>())
        {
            if (!labels.TryGetValue(key, out var actual) || actual != value)
            {
                return false;
            }
        }

        foreach (var requirement in selector.MatchExpressions ?? [])
        {
            var has = labels.TryGetValue(requirement.Key ?? "", out var actual);
            var values = requirement.Values ?? [];
            var ok = requirement.OperatorProperty switch
            {
                "In" => has && values.Contains(actual!),
                "NotIn" => !has || !values.Contains(actual!),
                "Exists" => has,
                "DoesNotExist" => !has,
                _ => false,
            };
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }
}
