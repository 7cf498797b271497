using k8s;

namespace Cetus.Client.Informers;

/// <summary>How an informer lists and watches one resource type (client-go's ListerWatcher).</summary>
/// <typeparam name="T">The object type.</typeparam>
public interface IListWatch<T>
{
    /// <summary>Lists every object (following <c>continue</c>) and returns them with the list's resourceVersion.</summary>
    Task<(IReadOnlyList<T> Items, string ResourceVersion)> ListAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Watches from <paramref name="resourceVersion"/> with bookmarks until the server closes the stream (after
    /// <paramref name="timeout"/>). An ERROR event (410 Gone among others) surfaces as a <see cref="WatchEventType.Error"/> item.
    /// </summary>
    IAsyncEnumerable<(WatchEventType Type, T? Object)> WatchAsync(string resourceVersion, TimeSpan timeout, CancellationToken cancellationToken);
}
