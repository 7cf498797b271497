using Cetus.Api.Validation;
using k8s.Models;

namespace Cetus.Scheduler.Plugins.InterPodAffinity;

/// <summary>
/// A pod (anti-)affinity term resolved against the pod that declares it (upstream framework.AffinityTerm): the
/// namespaces it covers (its own, the listed ones, or those its namespaceSelector matches) and its label selector
/// with matchLabelKeys / mismatchLabelKeys folded in.
/// </summary>
internal sealed class AffinityTerm
{
    private readonly HashSet<string> _namespaces;
    private readonly V1LabelSelector? _namespaceSelector;
    private readonly V1LabelSelector? _selector;

    public AffinityTerm(V1Pod owner, V1PodAffinityTerm term, int weight = 0)
    {
        TopologyKey = term.TopologyKey;
        Weight = weight;
        _namespaces = [.. term.Namespaces ?? []];
        _namespaceSelector = term.NamespaceSelector;
        if (_namespaces.Count == 0 && _namespaceSelector is null)
        {
            _namespaces.Add(owner.Metadata.NamespaceProperty);
        }

        if (term.LabelSelector is { } selector)
        {
            _selector = new V1LabelSelector { MatchLabels = selector.MatchLabels, MatchExpressions = [.. selector.MatchExpressions ?? []] };
            var labels = owner.Metadata.Labels ?? new Dictionary<string, string>();
            foreach (var key in term.MatchLabelKeys ?? [])
            {
                if (labels.TryGetValue(key, out var value))
                {
                    _selector.MatchExpressions.Add(new V1LabelSelectorRequirement { Key = key, OperatorProperty = "In", Values = [value] });
                }
            }

            foreach (var key in term.MismatchLabelKeys ?? [])
            {
                if (labels.TryGetValue(key, out var value))
                {
                    _selector.MatchExpressions.Add(new V1LabelSelectorRequirement { Key = key, OperatorProperty = "NotIn", Values = [value] });
                }
            }
        }
    }

    public string TopologyKey { get; }

    public int Weight { get; }

    /// <summary>True when the term selects <paramref name="pod"/>: its namespace is covered and its labels match.</summary>
    public bool Matches(V1Pod pod, Func<string, IDictionary<string, string>?> namespaceLabels)
    {
        var ns = pod.Metadata.NamespaceProperty;
        var covered = _namespaces.Contains(ns) ||
            (_namespaceSelector is not null && (LabelSelectors.IsEmpty(_namespaceSelector) || LabelSelectors.Matches(_namespaceSelector, namespaceLabels(ns))));
        return covered && LabelSelectors.Matches(_selector, pod.Metadata.Labels);
    }

    public static List<AffinityTerm> Required(V1Pod pod, bool anti) =>
        [.. (anti ? pod.Spec?.Affinity?.PodAntiAffinity?.RequiredDuringSchedulingIgnoredDuringExecution : pod.Spec?.Affinity?.PodAffinity?.RequiredDuringSchedulingIgnoredDuringExecution)?.Select(t => new AffinityTerm(pod, t)) ?? []];

    public static List<AffinityTerm> Preferred(V1Pod pod, bool anti) =>
        [.. (anti ? pod.Spec?.Affinity?.PodAntiAffinity?.PreferredDuringSchedulingIgnoredDuringExecution : pod.Spec?.Affinity?.PodAffinity?.PreferredDuringSchedulingIgnoredDuringExecution)?.Where(t => t.PodAffinityTerm is not null).Select(t => new AffinityTerm(pod, t.PodAffinityTerm, t.Weight)) ?? []];
}
