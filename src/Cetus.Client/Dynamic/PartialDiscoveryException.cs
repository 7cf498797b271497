namespace Cetus.Client.Dynamic;

/// <summary>
/// Discovery answered for some API groups and failed for others (client-go's ErrGroupDiscoveryFailed): callers
/// that can work with part of the resources (the namespace controller, the garbage collector) use
/// <see cref="Resources"/> and report <see cref="FailedGroups"/>.
/// </summary>
public sealed class PartialDiscoveryException : Exception
{
    /// <summary>Creates the error.</summary>
    public PartialDiscoveryException(IReadOnlyList<ApiResource> resources, IReadOnlyDictionary<string, string> failedGroups)
        : base("unable to retrieve the complete list of server APIs: " + string.Join(", ", (failedGroups ?? throw new ArgumentNullException(nameof(failedGroups))).OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => $"{f.Key}: {f.Value}")))
    {
        Resources = resources ?? throw new ArgumentNullException(nameof(resources));
        FailedGroups = failedGroups;
    }

    /// <summary>The resources of the groups that answered.</summary>
    public IReadOnlyList<ApiResource> Resources { get; }

    /// <summary>The groups (group/version) that failed, with why.</summary>
    public IReadOnlyDictionary<string, string> FailedGroups { get; }
}
