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

    /// <inheritdoc/>
    public Task<PartialObjectList> ListAsync(ApiResource resource, string? ns, string? continueToken, int limit, CancellationToken cancellationToken)
    {
        var query = $"?limit={limit}" + (string.IsNullOrEmpty(continueToken) ? string.Empty : "&continue=" + Uri.EscapeDataString(continueToken));
        return SendAsync<PartialObjectList>(HttpMethod.Get, resource.Path(ns) + query, null, null, cancellationToken);
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<(WatchEventType Type, PartialObject? Object)> WatchAsync(
        ApiResource resource, string resourceVersion, TimeSpan timeout, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var seconds = (int)timeout.TotalSeconds;
        if (_client.HttpClient.Timeout != Timeout.InfiniteTimeSpan)
        {
            // The server must end the watch before the HttpClient gives up on it.
            seconds = Math.Max(1, Math.Min(seconds, (int)_client.HttpClient.Timeout.TotalSeconds - 5));
        }

        var path = resource.Path(null) + $"?watch=true&allowWatchBookmarks=true&timeoutSeconds={seconds}&resourceVersion={Uri.EscapeDataString(resourceVersion)}";
        HttpResponseMessage? response = null;
        StreamReader? reader = null;
        try
        {
            try
            {
                using var request = await CreateRequestAsync(HttpMethod.Get, path, null, null, cancellationToken).ConfigureAwait(false);
                response = await _client.HttpClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
                if (!response.IsSuccessStatusCode)
                {
                    response.Dispose();
                    response = null;
                }
                else
                {
                    reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false), Encoding.UTF8);
                }
            }
            catch (HttpRequestException)
            {
                // Surfaces as an Error item below: the informer relists.
            }

            if (reader is null)
            {
                yield return (WatchEventType.Error, null);
                yield break;
            }

            while (true)
            {
                string? line;
                try
                {
                    line = await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is IOException or HttpRequestException && !cancellationToken.IsCancellationRequested)
                {
                    line = null;
                    reader = null;
                }

                if (reader is null)
                {
                    yield return (WatchEventType.Error, null);
                    yield break;
                }

                if (line is null)
                {
                    yield break;
                }

                if (line.Length == 0)
                {
                    continue;
                }

                var (type, item) = ParseEvent(line);
                yield return (type, item);
                if (type == WatchEventType.Error)
                {
                    yield break;
                }
            }
        }
        finally
        {
            reader?.Dispose();
            response?.Dispose();
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

    /// <summary>Parses one line of a watch stream.</summary>
    internal static (WatchEventType Type, PartialObject? Object) ParseEvent(string line)
    {
        using var document = JsonDocument.Parse(line);
        var root = document.RootElement;
        var type = root.TryGetProperty("type", out var t) ? t.GetString() : null;
        var eventType = type switch
        {
            "ADDED" => WatchEventType.Added,
            "MODIFIED" => WatchEventType.Modified,
            "DELETED" => WatchEventType.Deleted,
            "BOOKMARK" => WatchEventType.Bookmark,
            _ => WatchEventType.Error,
        };
        if (eventType == WatchEventType.Error || !root.TryGetProperty("object", out var obj))
        {
            return (WatchEventType.Error, null);
        }

        return (eventType, KubernetesJson.Deserialize<PartialObject>(obj.GetRawText()));
    }

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

    private async Task<HttpRequestMessage> CreateRequestAsync(HttpMethod method, string path, string? body, string? contentType, CancellationToken cancellationToken)
    {
        var request = new HttpRequestMessage(method, new Uri(_client.BaseUri, path.TrimStart('/')));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
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

    private async Task<T> SendAsync<T>(HttpMethod method, string path, string? body, string? contentType, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(RequestTimeout);
        using var request = await CreateRequestAsync(method, path, body, contentType, timeout.Token).ConfigureAwait(false);
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
