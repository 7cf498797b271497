using Cetus.Api.Scheme;
using Cetus.ApiServer.Errors;
using Cetus.ApiServer.Routing;
using Microsoft.AspNetCore.Http;

namespace Cetus.ApiServer.Handlers;

/// <summary>Routes a request under /api/v1 or /apis/{group}/{version} to the verb's handler.</summary>
internal sealed class ResourceEndpoint(
    ResourceRegistry registry,
    GetHandler get,
    ListHandler list,
    WatchHandler watch,
    CreateHandler create,
    UpdateHandler update,
    DeleteHandler delete,
    SubresourceHandlers subresources,
    TokenRequestHandler tokens,
    Authorization.ReviewHandler reviews,
    EvictionHandler evictions,
    Kubelets.PodStreamHandlers streams)
{
    public Task HandleAsync(HttpContext http, RequestInfo info)
    {
        var definition = registry.Find(info.Group, info.Version, info.Resource)
            ?? throw Problems.PathNotFound(http.Request.Path);
        if (info.Subresource.Length > 0 && !definition.Subresources.Contains(info.Subresource))
        {
            throw Problems.PathNotFound(http.Request.Path);
        }

        if (!definition.Namespaced && info.Namespace.Length > 0)
        {
            throw Problems.PathNotFound(http.Request.Path);
        }

        var request = new ResourceRequest(http, info, definition);
        var method = http.Request.Method;
        if (definition.Virtual)
        {
            // Reviews are answered, never stored: POST to the collection is all they take.
            return method == "POST" && info.Name.Length == 0 && (!definition.Namespaced || info.Namespace.Length > 0)
                ? reviews.HandleAsync(request)
                : throw Problems.MethodNotSupported(definition.Group, definition.Plural, method.ToLowerInvariant());
        }

        var named = info.Name.Length > 0;
        var collectionInNamespace = !definition.Namespaced || info.Namespace.Length > 0;
        return (method, named, info.Subresource) switch
        {
            ("GET", false, _) when request.QueryFlag("watch") => watch.HandleAsync(request),
            ("GET", false, _) => list.HandleAsync(request),
            ("POST", true, "token") => tokens.CreateAsync(request),
            (_, true, "token") => throw Problems.MethodNotSupported(definition.Group, $"{definition.Plural}/token", method.ToLowerInvariant()),
            ("GET", true, "scale") => subresources.GetScaleAsync(request),
            ("GET", true, "log") => streams.LogAsync(request),
            ("GET" or "POST", true, "exec" or "attach" or "portforward") => streams.StreamAsync(request),
            (_, true, "log" or "exec" or "attach" or "portforward") => throw Problems.MethodNotSupported(definition.Group, $"{definition.Plural}/{info.Subresource}", method.ToLowerInvariant()),
            ("GET", true, _) => get.HandleAsync(request),
            ("POST", false, _) when collectionInNamespace => create.HandleAsync(request),
            ("POST", true, "binding") => subresources.BindAsync(request),
            ("POST", true, "eviction") => evictions.HandleAsync(request),
            (_, true, "eviction") => throw Problems.MethodNotSupported(definition.Group, $"{definition.Plural}/eviction", method.ToLowerInvariant()),
            ("PUT", true, "scale") => subresources.UpdateScaleAsync(request),
            ("PUT", true, "binding") => throw Problems.MethodNotSupported(definition.Group, $"{definition.Plural}/binding", "update"),
            ("PUT", true, _) => update.HandleAsync(request),
            ("PATCH", true, "scale") => subresources.PatchScaleAsync(request),
            ("PATCH", true, _) => subresources.PatchAsync(request),
            ("DELETE", true, "") => delete.HandleAsync(request),
            ("DELETE", false, _) when collectionInNamespace => subresources.DeleteCollectionAsync(request),
            _ => throw Problems.MethodNotSupported(definition.Group, definition.Plural, method.ToLowerInvariant()),
        };
    }
}
