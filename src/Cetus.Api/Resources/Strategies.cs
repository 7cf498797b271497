using Cetus.Api.Scheme;
using k8s;
using k8s.Models;

namespace Cetus.Api.Resources;

/// <summary>The strategy of each kind: its own where it has one (in its folder), else the plain one.</summary>
internal static class Strategies
{
    private static readonly Dictionary<Type, IResourceStrategy> ByType = [];

    public static IResourceStrategy For<T>()
        where T : class, IKubernetesObject<V1ObjectMeta> =>
        ByType.TryGetValue(typeof(T), out var strategy) ? strategy : new ResourceStrategy<T>();
}
