using k8s.Models;

namespace Cetus.Controllers.Namespace;

/// <summary>
/// The deletion conditions the namespace controller reports (deletion/status_condition_utils.go): each of the five
/// is True with a failure reason when something went wrong in this pass, and False with a success reason otherwise.
/// </summary>
public sealed class NamespaceConditions
{
    /// <summary>Discovery failed for some groups.</summary>
    public const string DiscoveryFailure = "NamespaceDeletionDiscoveryFailure";

    /// <summary>Some group-versions could not be parsed.</summary>
    public const string GroupVersionParsingFailure = "NamespaceDeletionGroupVersionParsingFailure";

    /// <summary>Deleting some content failed.</summary>
    public const string ContentFailure = "NamespaceDeletionContentFailure";

    /// <summary>Some content is still there.</summary>
    public const string ContentRemaining = "NamespaceContentRemaining";

    /// <summary>Some remaining content has finalizers.</summary>
    public const string FinalizersRemaining = "NamespaceFinalizersRemaining";

    // Type → (success reason, success message), in upstream's order.
    private static readonly (string Type, string Reason, string Message)[] Successes =
    [
        (DiscoveryFailure, "ResourcesDiscovered", "All resources successfully discovered"),
        (GroupVersionParsingFailure, "ParsedGroupVersions", "All legacy kube types successfully parsed"),
        (ContentFailure, "ContentDeleted", "All content successfully deleted, may be waiting on finalization"),
        (ContentRemaining, "ContentRemoved", "All content successfully removed"),
        (FinalizersRemaining, "ContentHasNoFinalizers", "All content-preserving finalizers finished"),
    ];

    private readonly Dictionary<string, V1NamespaceCondition> _failures = [];

    /// <summary>Discovery failed for some groups.</summary>
    public void DiscoveryFailed(string message) => Fail(DiscoveryFailure, "DiscoveryFailed", message);

    /// <summary>Deleting content failed.</summary>
    public void DeleteContentFailed(string message) => Fail(ContentFailure, "ContentDeletionFailed", message);

    /// <summary>What remains: instances by resource ("pods."), and by finalizer.</summary>
    public void ContentTotals(IReadOnlyDictionary<string, int> remainingByResource, IReadOnlyDictionary<string, int> remainingByFinalizer)
    {
        var resources = remainingByResource.Where(r => r.Value > 0).Select(r => $"{r.Key} has {r.Value} resource instances").Order(StringComparer.Ordinal).ToList();
        if (resources.Count > 0)
        {
            Fail(ContentRemaining, "SomeResourcesRemain", "Some resources are remaining: " + string.Join(", ", resources));
        }

        var finalizers = remainingByFinalizer.Where(f => f.Value > 0).Select(f => $"{f.Key} in {f.Value} resource instances").Order(StringComparer.Ordinal).ToList();
        if (finalizers.Count > 0)
        {
            Fail(FinalizersRemaining, "SomeFinalizersRemain", "Some content in the namespace has finalizers remaining: " + string.Join(", ", finalizers));
        }
    }

    /// <summary>
    /// Writes the five conditions into <paramref name="ns"/>'s status (other conditions kept); returns true when any
    /// changed (a change of status, reason or message; the transition time moves only then).
    /// </summary>
    public bool Apply(V1Namespace ns, DateTime now)
    {
        ArgumentNullException.ThrowIfNull(ns);
        ns.Status ??= new V1NamespaceStatus();
        var conditions = ns.Status.Conditions?.ToList() ?? [];
        var changed = false;
        foreach (var (type, reason, message) in Successes)
        {
            var wanted = _failures.GetValueOrDefault(type) ?? new V1NamespaceCondition { Type = type, Status = "False", Reason = reason, Message = message };
            var index = conditions.FindIndex(c => c.Type == type);
            if (index >= 0 && conditions[index].Status == wanted.Status && conditions[index].Reason == wanted.Reason && conditions[index].Message == wanted.Message)
            {
                continue;
            }

            wanted.LastTransitionTime = now;
            if (index >= 0)
            {
                conditions[index] = wanted;
            }
            else
            {
                conditions.Add(wanted);
            }

            changed = true;
        }

        ns.Status.Conditions = conditions;
        return changed;
    }

    private void Fail(string type, string reason, string message) =>
        _failures[type] = new V1NamespaceCondition { Type = type, Status = "True", Reason = reason, Message = message };
}
