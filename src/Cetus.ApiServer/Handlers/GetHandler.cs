using Cetus.ApiServer.Http;
using Cetus.ApiServer.Registry;
using Cetus.ApiServer.Tables;

namespace Cetus.ApiServer.Handlers;

/// <summary>GET of one object (also its status subresource): read from the datastore, as JSON or as a one-row Table.</summary>
internal sealed class GetHandler(ObjectStore objects, TimeProvider time)
{
    public async Task HandleAsync(ResourceRequest request)
    {
        var current = await objects.MustGetAsync(request.Definition, request.Namespace, request.Name, request.Aborted).ConfigureAwait(false);
        var body = request.WantsTable
            ? TableWriter.Write(request.Definition, [current], current.Item.Metadata.ResourceVersion, null, time.GetUtcNow(), includeObject: request.Query("includeObject") ?? "Metadata")
            : current.Json;
        await Responses.WriteJsonAsync(request.Http, 200, body).ConfigureAwait(false);
    }
}
