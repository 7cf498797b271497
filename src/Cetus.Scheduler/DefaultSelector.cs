using Cetus.Api.Validation;
using Cetus.Client.Informers;
using k8s.Models;

namespace Cetus.Scheduler;

/// <summary>
/// Upstream helper.DefaultSelector: the AND of the selectors of every Service and ReplicaSet in the pod's namespace
/// that selects the pod; null when none does. (Upstream also reads ReplicationControllers and StatefulSets; the API
/// server does not serve them yet: add them here when it does.)
/// </summary>
internal sealed class DefaultSelector(Indexer<V1Service> services, Indexer<V1ReplicaSet> replicaSets)
{
    public V1LabelSelector? For(V1Pod pod)
    {
        var ns = pod.Metadata.NamespaceProperty;
        var labels = pod.Metadata.Labels ?? new Dictionary<string, string>();
        var requirements = new List<V1LabelSelectorRequirement>();
        void AddSet(IDictionary<string, string>? set)
        {
            if (set is { Count: > 0 } && set.All(kv => labels.TryGetValue(kv.Key, out var v) && v == kv.Value))
            {
                requirements.AddRange(set.Select(kv => new V1LabelSelectorRequirement { Key = kv.Key, OperatorProperty = "In", Values = [kv.Value] }));
            }
        }

        void AddSelector(V1LabelSelector? selector)
        {
            if (selector is not null && !LabelSelectors.IsEmpty(selector) && LabelSelectors.Matches(selector, labels))
            {
                AddSet(selector.MatchLabels);
                requirements.AddRange(selector.MatchExpressions ?? []);
            }
        }

        foreach (var service in services.ByNamespace(ns))
        {
            AddSet(service.Spec?.Selector);
        }

        foreach (var replicaSet in replicaSets.ByNamespace(ns))
        {
            AddSelector(replicaSet.Spec?.Selector);
        }

        return requirements.Count == 0 ? null : new V1LabelSelector { MatchExpressions = requirements };
    }
}
