using k8s.Models;

namespace Cetus.Api.Resources.PriorityClasses;

/// <summary>The built-in priority classes and the limits on user ones (pkg/apis/scheduling/types.go).</summary>
public static class SystemPriorityClasses
{
    /// <summary>The prefix reserved for the built-in classes.</summary>
    public const string Prefix = "system-";

    /// <summary>The highest value a user class may have.</summary>
    public const int HighestUserDefinablePriority = 1_000_000_000;

    /// <summary>The value of system-cluster-critical; system-node-critical is 1000 above it.</summary>
    public const int SystemCriticalPriority = 2 * HighestUserDefinablePriority;

    /// <summary>Pods of this policy may preempt lower-priority pods (the default).</summary>
    public const string PreemptLowerPriority = "PreemptLowerPriority";

    /// <summary>Pods of this policy never preempt.</summary>
    public const string PreemptNever = "Never";

    /// <summary>A fresh copy of each built-in class, as the API server creates them at start.</summary>
    public static IReadOnlyList<V1PriorityClass> Create() =>
    [
        New("system-node-critical", SystemCriticalPriority + 1000, "Used for system critical pods that must not be moved from their current node."),
        New("system-cluster-critical", SystemCriticalPriority, "Used for system critical pods that must run in the cluster, but can be moved to another node if necessary."),
    ];

    /// <summary>Null when <paramref name="name"/> is a built-in class with these fields, else why not (upstream's wording).</summary>
    public static string? IsKnown(string name, int value, bool globalDefault)
    {
        var known = Create().FirstOrDefault(c => c.Metadata.Name == name);
        if (known is null)
        {
            return $"{name} is not a known system priority class";
        }

        if (known.Value != value)
        {
            return $"value of {name} PriorityClass must be {known.Value}";
        }

        return globalDefault ? $"globalDefault of {name} PriorityClass must be False" : null;
    }

    private static V1PriorityClass New(string name, int value, string description) => new()
    {
        ApiVersion = "scheduling.k8s.io/v1",
        Kind = "PriorityClass",
        Metadata = new V1ObjectMeta { Name = name },
        Value = value,
        Description = description,
        GlobalDefault = false,
        PreemptionPolicy = PreemptLowerPriority,
    };
}
