using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Cetus.Client.Dynamic;

/// <summary>
/// The <see cref="IDynamicClient"/> over a <see cref="Kubernetes"/> client: the same HTTPS connection and
/// credentials, with URLs built from discovery instead of generated per kind (the generated custom-object calls
/// cannot address the core group).
/// </summary>
public sealed class DynamicClient : IDynamicClient
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(60);
    private readonly Kubernetes _client;

    /// <summary>Wraps a client; it must be a <see cref="Kubernetes"/> (its HttpClient and credentials are used).</summary>
    public DynamicClient(IKubernetes client) =>
        _client = client as Kubernetes ?? throw new ArgumentException("the dynamic client needs a k8s.Kubernetes client", nameof(client));

    /// <inheritdoc/>
    public async Task<IReadOnlyList<ApiResource>> DiscoverAsync(CancellationToken cancellationToken)
    {
        var resources = new List<ApiResource>();
        var core = await SendAsync<V1APIVersions>(HttpMethod.Get, "/api", null, null, cancellationToken).ConfigureAwait(false);
        if (core.Versions is { Count: > 0 } && core.Versions.Contains("v1"))
        {
            resources.AddRange(Resources(string.Empty, "v1", await SendAsync<V1APIResourceList>(HttpMethod.Get, "/api/v1", null, null, cancellationToken).ConfigureAwait(false)));
        }

        var groups = await SendAsync<V1APIGroupList>(HttpMethod.Get, "/apis", null, null, cancellationToken).ConfigureAwait(false);
        var failed = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var group in groups.Groups ?? [])
        {
            if (group.PreferredVersion?.Version is not { } version)
            {
                continue;
            }

            try
            {
                var list = await SendAsync<V1APIResourceList>(HttpMethod.Get, $"/apis/{group.Name}/{version}", null, null, cancellationToken).ConfigureAwait(false);
                resources.AddRange(Resources(group.Name, version, list));
            }
            catch (Exception e) when (e is HttpOperationException or HttpRequestException or JsonException)
            {
                // One group failing (an aggregated API down) does not hide the others: the caller gets both.
                failed[$"{group.Name}/{version}"] = e.Message;
            }
        }

        if (failed.Count > 0)
        {
            throw new PartialDiscoveryException(resources, failed);
        }

        return resources;
    }

    private const string MetadataMediaType = "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1";
    private const string MetadataListMediaType = "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1";

    /// <inheritdoc/>
    public async Task<PartialObjectList> ListAsync(ApiResource resource, string? ns, string? continueToken, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(resource);
        var query = $"?limit={limit}" + (string.IsNullOrEmpty(continueToken) ? string.Empty : "&continue=" + Uri.EscapeDataString(continueToken));
        var list = await SendAsync<PartialObjectList>(HttpMethod.Get, resource.Path(ns) + query, null, null, cancellationToken, MetadataListMediaType).ConfigureAwait(false);
        foreach (var item in list.Items)
        {
            Typed(item, resource);
        }

        return list;
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<(WatchEventType Type, PartialObject? Object)> WatchAsync(
        ApiResource resource, string resourceVersion, TimeSpan timeout, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(resource);
        var failed = false;
        var events = Http.WatchStream.WatchAsync<PartialObject>(_client, resource.Path(null), null, resourceVersion, (int)timeout.TotalSeconds, MetadataMediaType, _ => failed = true, cancellationToken)
            .GetAsyncEnumerator(cancellationToken);
        try
        {
            while (true)
            {
                try
                {
                    if (!await events.MoveNextAsync().ConfigureAwait(false))
                    {
                        break;
                    }
                }
                catch (Exception e) when (e is IOException or HttpRequestException or HttpOperationException or JsonException && !cancellationToken.IsCancellationRequested)
                {
                    // A refused watch, a broken stream or a garbled line: an Error item (the informer relists).
                    failed = true;
                    break;
                }

                var (type, item) = events.Current;
                yield return (type, type == WatchEventType.Bookmark || item is null ? item : Typed(item, resource));
            }
        }
        finally
        {
            await events.DisposeAsync().ConfigureAwait(false);
        }

        if (failed)
        {
            yield return (WatchEventType.Error, null);
        }
    }

    /// <inheritdoc/>
    public async Task<PartialObject?> GetAsync(ApiResource resource, string? ns, string name, CancellationToken cancellationToken)
    {
        try
        {
            return await SendAsync<PartialObject>(HttpMethod.Get, resource.Path(ns, name), null, null, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpOperationException e) when (e.Response?.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <inheritdoc/>
    public Task DeleteAsync(ApiResource resource, string? ns, string name, V1DeleteOptions options, CancellationToken cancellationToken) =>
        SendAsync<JsonElement>(HttpMethod.Delete, resource.Path(ns, name), KubernetesJson.Serialize(Typed(options)), "application/json", cancellationToken);

    /// <inheritdoc/>
    public Task DeleteCollectionAsync(ApiResource resource, string ns, V1DeleteOptions options, CancellationToken cancellationToken) =>
        SendAsync<JsonElement>(HttpMethod.Delete, resource.Path(ns), KubernetesJson.Serialize(Typed(options)), "application/json", cancellationToken);

    /// <inheritdoc/>
    public Task<PartialObject> MergePatchAsync(ApiResource resource, string? ns, string name, string patch, CancellationToken cancellationToken) =>
        SendAsync<PartialObject>(HttpMethod.Patch, resource.Path(ns, name), patch, "application/merge-patch+json", cancellationToken);

    private static V1DeleteOptions Typed(V1DeleteOptions options)
    {
        options.ApiVersion ??= "v1";
        options.Kind ??= "DeleteOptions";
        return options;
    }

    private static IEnumerable<ApiResource> Resources(string group, string version, V1APIResourceList list) =>
        (list.Resources ?? [])
            .Where(r => !r.Name.Contains('/', StringComparison.Ordinal))
            .Select(r => new ApiResource(group, version, r.Name, r.Kind, r.Namespaced, [.. r.Verbs ?? []]));

    // Lists and watches ask for metadata only, as client-go's metadata client does: every object's spec and status
    // would be encoded, sent and decoded for nothing. The objects come back as PartialObjectMetadata; their own
    // apiVersion and kind are the resource's.
    private static PartialObject Typed(PartialObject item, ApiResource resource)
    {
        item.ApiVersion = resource.ApiVersion;
        item.Kind = resource.Kind;
        return item;
    }

    private async Task<HttpRequestMessage> CreateRequestAsync(HttpMethod method, string path, string? body, string? contentType, string accept, CancellationToken cancellationToken)
    {
        var request = new HttpRequestMessage(method, new Uri(_client.BaseUri, path.TrimStart('/')));
        request.Headers.Accept.Add(MediaTypeWithQualityHeaderValue.Parse(accept));
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue(contentType ?? "application/json");
        }

        if (_client.Credentials is { } credentials)
        {
            await credentials.ProcessHttpRequestAsync(request, cancellationToken).ConfigureAwait(false);
        }

        return request;
    }

    private async Task<T> SendAsync<T>(HttpMethod method, string path, string? body, string? contentType, CancellationToken cancellationToken, string accept = "application/json")
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(RequestTimeout);
        using var request = await CreateRequestAsync(method, path, body, contentType, accept, timeout.Token).ConfigureAwait(false);
        using var response = await _client.HttpClient.SendAsync(request, timeout.Token).ConfigureAwait(false);
        var content = await response.Content.ReadAsStringAsync(timeout.Token).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpOperationException($"{method} {path}: {(int)response.StatusCode} {response.ReasonPhrase}")
            {
                Request = new HttpRequestMessageWrapper(request, body),
                Response = new HttpResponseMessageWrapper(response, content),
            };
        }

        return KubernetesJson.Deserialize<T>(content);
    }
}
