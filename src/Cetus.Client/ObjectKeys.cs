using k8s;
using k8s.Models;

namespace Cetus.Client;

/// <summary>The <c>namespace/name</c> keys that informers cache by and work queues carry (client-go's MetaNamespaceKeyFunc).</summary>
public static class ObjectKeys
{
    /// <summary>The key of an object: <c>namespace/name</c>, or <c>name</c> for a cluster-scoped one.</summary>
    public static string Of(IMetadata<V1ObjectMeta> obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        return For(obj.Metadata?.NamespaceProperty, obj.Metadata?.Name ?? string.Empty);
    }

    /// <summary>The key for a namespace and a name.</summary>
    public static string For(string? ns, string name) => string.IsNullOrEmpty(ns) ? name : ns + "/" + name;

    /// <summary>Splits a key into its namespace (empty for cluster-scoped) and name.</summary>
    public static (string Namespace, string Name) Split(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? (string.Empty, key) : (key[..slash], key[(slash + 1)..]);
    }
}
