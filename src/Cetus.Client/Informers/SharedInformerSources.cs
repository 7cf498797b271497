using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Cetus.Client.Informers;

/// <summary>
/// The list+watches and caches that the components of one process share, one per resource type: the controller
/// manager and the scheduler that <c>cetus server</c> runs in its own process each ask for pods, and would otherwise
/// each watch, decode and hold every pod. Give the same instance to their <see cref="SharedInformerFactory"/>s. A
/// type's list+watch runs while any component's informer for it is started (with the client of the component that
/// asked first: each of them may list and watch what they share) and stops, dropping its cache, when the last stops;
/// handlers and resync periods stay each component's own.
/// </summary>
public sealed class SharedInformerSources
{
    private readonly Dictionary<Type, object> _sources = [];

    internal InformerSource<T> For<T>(Func<IListWatch<T>> listWatch, TimeProvider time, ILogger? logger)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        lock (_sources)
        {
            if (!_sources.TryGetValue(typeof(T), out var source))
            {
                source = new InformerSource<T>(listWatch(), time, logger);
                _sources[typeof(T)] = source;
            }

            return (InformerSource<T>)source;
        }
    }
}
