using k8s;
using k8s.Models;

namespace Cetus.Client.Dynamic;

/// <summary>
/// Calls on any resource found through discovery (client-go's dynamic and metadata clients). Failures are
/// <see cref="k8s.Autorest.HttpOperationException"/>s carrying the HTTP status and the Status body.
/// </summary>
public interface IDynamicClient
{
    /// <summary>
    /// Every resource of the preferred version of each group (subresources left out). When some groups cannot be
    /// discovered, throws a <see cref="PartialDiscoveryException"/> carrying the resources of the others.
    /// </summary>
    Task<IReadOnlyList<ApiResource>> DiscoverAsync(CancellationToken cancellationToken);

    /// <summary>One page of a list, across all namespaces when <paramref name="ns"/> is null.</summary>
    Task<PartialObjectList> ListAsync(ApiResource resource, string? ns, string? continueToken, int limit, CancellationToken cancellationToken);

    /// <summary>Watches from <paramref name="resourceVersion"/> with bookmarks; an ERROR event or a broken stream ends it with an Error item.</summary>
    IAsyncEnumerable<(WatchEventType Type, PartialObject? Object)> WatchAsync(ApiResource resource, string resourceVersion, TimeSpan timeout, CancellationToken cancellationToken);

    /// <summary>Reads one object; null when it does not exist.</summary>
    Task<PartialObject?> GetAsync(ApiResource resource, string? ns, string name, CancellationToken cancellationToken);

    /// <summary>Deletes one object.</summary>
    Task DeleteAsync(ApiResource resource, string? ns, string name, V1DeleteOptions options, CancellationToken cancellationToken);

    /// <summary>Deletes every object of a resource in a namespace.</summary>
    Task DeleteCollectionAsync(ApiResource resource, string ns, V1DeleteOptions options, CancellationToken cancellationToken);

    /// <summary>Applies a JSON merge patch (RFC 7386) to one object.</summary>
    Task<PartialObject> MergePatchAsync(ApiResource resource, string? ns, string name, string patch, CancellationToken cancellationToken);
}

/// <summary>A list+watch of one discovered resource through an <see cref="IDynamicClient"/>, for a <see cref="Informers.SharedInformer{T}"/>.</summary>
public sealed class DynamicListWatch : Informers.IListWatch<PartialObject>
{
    private const int PageSize = 500;
    private readonly IDynamicClient _client;
    private readonly ApiResource _resource;

    /// <summary>Lists and watches <paramref name="resource"/> across all namespaces.</summary>
    public DynamicListWatch(IDynamicClient client, ApiResource resource)
    {
        _client = client ?? throw new ArgumentNullException(nameof(client));
        _resource = resource ?? throw new ArgumentNullException(nameof(resource));
    }

    /// <inheritdoc/>
    public async Task<(IReadOnlyList<PartialObject> Items, string ResourceVersion)> ListAsync(CancellationToken cancellationToken)
    {
        var items = new List<PartialObject>();
        string? next = null;
        string resourceVersion;
        do
        {
            var page = await _client.ListAsync(_resource, null, next, PageSize, cancellationToken).ConfigureAwait(false);
            foreach (var item in page.Items)
            {
                // List items carry no type of their own on the wire.
                item.ApiVersion = _resource.ApiVersion;
                item.Kind = _resource.Kind;
                items.Add(item);
            }

            resourceVersion = page.Metadata?.ResourceVersion ?? "0";
            next = page.Metadata?.ContinueProperty;
        }
        while (!string.IsNullOrEmpty(next));

        return (items, resourceVersion);
    }

    /// <inheritdoc/>
    public IAsyncEnumerable<(WatchEventType Type, PartialObject? Object)> WatchAsync(string resourceVersion, TimeSpan timeout, CancellationToken cancellationToken) =>
        _client.WatchAsync(_resource, resourceVersion, timeout, cancellationToken);
}
