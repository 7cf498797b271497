namespace Cetus.Api.Validation;

/// <summary>Which resource names are standard, native, extended, hugepages (core/helper).</summary>
internal static class ResourceNames
{
    public const string Cpu = "cpu";
    public const string Memory = "memory";
    public const string HugePagesPrefix = "hugepages-";

    private static readonly HashSet<string> StandardContainer = new(StringComparer.Ordinal) { Cpu, Memory, "ephemeral-storage" };

    private static readonly HashSet<string> Standard = new(StringComparer.Ordinal)
    {
        Cpu, Memory, "ephemeral-storage", "requests.cpu", "requests.memory", "requests.ephemeral-storage", "limits.cpu", "limits.memory",
        "limits.ephemeral-storage", "pods", "services", "replicationcontrollers", "resourcequotas", "secrets", "persistentvolumeclaims",
        "configmaps", "storage", "requests.storage", "services.nodeports", "services.loadbalancers",
    };

    public static bool IsHugePages(string name) => name.StartsWith(HugePagesPrefix, StringComparison.Ordinal);

    public static bool IsStandardContainerResource(string name) => StandardContainer.Contains(name) || IsHugePages(name);

    public static bool IsStandardResource(string name) =>
        Standard.Contains(name) || IsHugePages(name) || name.StartsWith("requests." + HugePagesPrefix, StringComparison.Ordinal);

    /// <summary>Unprefixed names and those in the kubernetes.io domain.</summary>
    public static bool IsNative(string name) => !name.Contains('/', StringComparison.Ordinal) || name.Contains("kubernetes.io/", StringComparison.Ordinal);

    /// <summary>Vendor resources such as <c>example.com/gpu</c>: counted in whole units, never overcommitted.</summary>
    public static bool IsExtended(string name) =>
        !IsNative(name) && !name.StartsWith("requests.", StringComparison.Ordinal) && QualifiedNames.IsQualifiedName("requests." + name).Count == 0;

    public static bool IsOvercommitAllowed(string name) => IsNative(name) && !IsHugePages(name);
}
