using System.Globalization;
using k8s.Models;

namespace Cetus.Scheduler.Plugins.NodeAffinity;

/// <summary>Node selector matching (upstream component-helpers nodeaffinity).</summary>
internal static class NodeSelectors
{
    /// <summary>Terms are ORed; a term with neither expressions nor fields matches nothing.</summary>
    public static bool Matches(IList<V1NodeSelectorTerm>? terms, V1Node node) =>
        terms?.Any(term => Matches(term, node)) == true;

    /// <summary>The term's expressions and fields are ANDed.</summary>
    public static bool Matches(V1NodeSelectorTerm term, V1Node node)
    {
        var expressions = term.MatchExpressions ?? [];
        var fields = term.MatchFields ?? [];
        if (expressions.Count == 0 && fields.Count == 0)
        {
            return false;
        }

        var labels = node.Metadata?.Labels ?? new Dictionary<string, string>();
        return expressions.All(r => Matches(r, labels.TryGetValue(r.Key, out var v) ? v : null)) &&
            fields.All(r => r.Key == "metadata.name" && Matches(r, node.Metadata?.Name));
    }

    /// <summary>One requirement against a label value (null when the label is absent).</summary>
    public static bool Matches(V1NodeSelectorRequirement requirement, string? value)
    {
        var values = requirement.Values ?? [];
        switch (requirement.OperatorProperty)
        {
            case "In":
                return value is not null && values.Contains(value);
            case "NotIn":
                return value is null || !values.Contains(value);
            case "Exists":
                return value is not null;
            case "DoesNotExist":
                return value is null;
            case "Gt":
            case "Lt":
                if (value is null || values.Count != 1 ||
                    !long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var actual) ||
                    !long.TryParse(values[0], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var bound))
                {
                    return false;
                }

                return requirement.OperatorProperty == "Gt" ? actual > bound : actual < bound;
            default:
                return false;
        }
    }
}
