using k8s;

namespace Cetus.Client;

/// <summary>Helpers for API objects shared with a cache.</summary>
public static class Objects
{
    /// <summary>A deep copy, safe to modify (objects from an informer's cache are shared and must never be modified).</summary>
    public static T Clone<T>(T obj)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(obj);
        return KubernetesJson.Deserialize<T>(KubernetesJson.Serialize(obj));
    }
}
