using Cetus.Api.Scheme;

namespace Cetus.ApiServer.Registry;

/// <summary>Where objects live in the datastore: <c>/registry/[group/]plural/[namespace/]name</c>, as kube-apiserver lays them out.</summary>
public static class StorageKeys
{
    /// <summary>The key of one object.</summary>
    public static string Key(ResourceDefinition definition, string ns, string name) =>
        definition.Namespaced ? $"{definition.StoragePrefix}{ns}/{name}" : $"{definition.StoragePrefix}{name}";

    /// <summary>The prefix of a collection: one namespace, or all of them (empty <paramref name="ns"/>).</summary>
    public static string Prefix(ResourceDefinition definition, string ns) =>
        definition.Namespaced && ns.Length > 0 ? $"{definition.StoragePrefix}{ns}/" : definition.StoragePrefix;
}
