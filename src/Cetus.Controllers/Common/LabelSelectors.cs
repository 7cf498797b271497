using k8s.Models;

namespace Cetus.Controllers.Common;

/// <summary>Matching labels against a metav1.LabelSelector (matchLabels and matchExpressions), as LabelSelectorAsSelector does.</summary>
public static class LabelSelectors
{
    /// <summary>True when the selector selects nothing in particular (no matchLabels, no matchExpressions): it would select every object.</summary>
    public static bool IsEmpty(V1LabelSelector? selector) =>
        selector is null || ((selector.MatchLabels?.Count ?? 0) == 0 && (selector.MatchExpressions?.Count ?? 0) == 0);

    /// <summary>
    /// True when <paramref name="labels"/> satisfy <paramref name="selector"/>. A null selector matches nothing; an empty
    /// one matches everything (callers refuse empty selectors where Kubernetes does).
    /// </summary>
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
            var has = labels.TryGetValue(requirement.Key, out var actual);
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
