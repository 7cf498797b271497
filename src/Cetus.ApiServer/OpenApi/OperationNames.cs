using Cetus.Api.Scheme;

namespace Cetus.ApiServer.OpenApi;

/// <summary>
/// Upstream's operation ids and tags: <c>{verb}{Group}{Version}[Namespaced]{Kind}[Subresource]</c>, e.g.
/// <c>patchCoreV1NamespacedPod</c>, <c>listAppsV1DeploymentForAllNamespaces</c>, <c>readAppsV1NamespacedDeploymentScale</c>;
/// tags like <c>core_v1</c> and <c>coordination_v1</c>. Client generators name methods after them.
/// </summary>
internal sealed class OperationNames
{
    private readonly string _groupVersion;
    private readonly string _kind;
    private readonly bool _namespaced;

    public OperationNames(ResourceDefinition resource)
    {
        // "coordination.k8s.io" → "Coordination", "rbac.authorization.k8s.io" → "RbacAuthorization", "" → "Core".
        var group = resource.Group.Length == 0 ? "core" : resource.Group.Replace(".k8s.io", "", StringComparison.Ordinal);
        var camel = string.Concat(group.Split('.', '-').Where(p => p.Length > 0).Select(Capitalize));
        _groupVersion = camel + Capitalize(resource.Version);
        _kind = resource.Kind;
        _namespaced = resource.Namespaced;
        Tag = char.ToLowerInvariant(camel[0]) + camel[1..] + "_" + resource.Version;
    }

    /// <summary>The tag of the group version's operations.</summary>
    public string Tag { get; }

    /// <summary>The operation id of <paramref name="verb"/> (<c>list</c>, <c>create</c>, <c>read</c>…).</summary>
    public string For(string verb, bool allNamespaces, string subresource)
    {
        if (verb == "deleteCollection")
        {
            return $"delete{_groupVersion}Collection{Scope(allNamespaces)}{_kind}{subresource}";
        }

        return allNamespaces
            ? $"{verb}{_groupVersion}{_kind}ForAllNamespaces"
            : $"{verb}{_groupVersion}{Scope(allNamespaces)}{_kind}{subresource}";
    }

    private string Scope(bool allNamespaces) => _namespaced && !allNamespaces ? "Namespaced" : "";

    private static string Capitalize(string word) => word.Length == 0 ? word : char.ToUpperInvariant(word[0]) + word[1..];
}
