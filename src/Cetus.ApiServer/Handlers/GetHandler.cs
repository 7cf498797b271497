using Cetus.ApiServer.Errors;
using Cetus.ApiServer.Http;
using Cetus.ApiServer.Registry;
using Cetus.ApiServer.Tables;
using Cetus.ApiServer.Watch;

namespace Cetus.ApiServer.Handlers;

/// <summary>
/// GET of one object (also its status subresource), as JSON, as a one-row Table or as PartialObjectMetadata, with kube-apiserver's
/// resourceVersion rules: none → the latest (the watch cache once it has caught up with the datastore's current
/// revision, else the datastore); "0" → whatever the cache holds; N → the cache once it is at least as fresh as N.
/// </summary>
internal sealed class GetHandler(ObjectStore objects, WatchCache cache, TimeProvider time)
{
    public async Task HandleAsync(ResourceRequest request)
    {
        var definition = request.Definition;
        var current = await ReadAsync(request).ConfigureAwait(false)
            ?? throw Problems.NotFound(definition.Group, definition.Plural, request.Name);
        var partial = request.WantsTable ? null : PartialMetadata.Requested(request.Http.Request);
        if (partial is { } asked)
        {
            PartialMetadata.RequireKind(request, asked, list: false);
        }

        var body = request.WantsTable
            ? TableWriter.Write(definition, [current], current.Item.Metadata.ResourceVersion, null, time.GetUtcNow(), includeObject: request.Query("includeObject") ?? "Metadata")
            : partial is { } metadataOnly ? PartialMetadata.Write(current, metadataOnly.Version) : current.Json;
        await Responses.WriteJsonAsync(request.Http, 200, body, partial is { } served ? PartialMetadata.ContentType(served) : null).ConfigureAwait(false);
    }

    private async Task<StoredObject?> ReadAsync(ResourceRequest request)
    {
        var definition = request.Definition;
        var key = StorageKeys.Key(definition, request.Namespace, request.Name);
        var fresh = request.ResourceVersion() switch
        {
            0 => true,
            { } atLeast => await cache.WaitUntilFreshAsync(atLeast, request.Aborted).ConfigureAwait(false),
            null => cache.Revision >= await objects.CurrentRevisionAsync(request.Aborted).ConfigureAwait(false),
        };
        return fresh
            ? cache.Get(definition, key)
            : await objects.GetAsync(definition, request.Namespace, request.Name, request.Aborted).ConfigureAwait(false);
    }
}
