using Cetus.ApiServer.Errors;
using Microsoft.AspNetCore.Http;

namespace Cetus.ApiServer.OpenApi;

/// <summary>
/// Serves /openapi/v3 (the root listing each group-version's document with its hash) and the documents, with
/// kube-openapi's caching rules: an ETag on the root, immutable caching for a document fetched by its current hash,
/// and a redirect to the current hash for a stale one.
/// </summary>
internal static class OpenApiEndpoint
{
    public static async Task WriteAsync(HttpContext context, OpenApiV3Builder builder, string path)
    {
        var rest = path["/openapi/v3".Length..].Trim('/');
        if (rest.Length == 0)
        {
            await WriteAsync(context, builder.Root, builder.RootHash, immutable: false).ConfigureAwait(false);
            return;
        }

        var document = builder.Find(rest) ?? throw Problems.PathNotFound(path);
        var requested = context.Request.Query["hash"].ToString();
        if (requested.Length > 0 && requested != document.Hash)
        {
            context.Response.StatusCode = StatusCodes.Status301MovedPermanently;
            context.Response.Headers.Location = document.ServerRelativeUrl;
            return;
        }

        await WriteAsync(context, document.Json, document.Hash, immutable: requested.Length > 0).ConfigureAwait(false);
    }

    private static async Task WriteAsync(HttpContext context, byte[] body, string hash, bool immutable)
    {
        var etag = $"\"{hash}\"";
        context.Response.Headers.ETag = etag;
        context.Response.Headers.CacheControl = immutable ? "public, immutable" : "no-cache, private";
        context.Response.Headers.Vary = "Accept";
        if (context.Request.Headers.IfNoneMatch.ToString() == etag)
        {
            context.Response.StatusCode = StatusCodes.Status304NotModified;
            return;
        }

        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = body.Length;
        await context.Response.Body.WriteAsync(body, context.RequestAborted).ConfigureAwait(false);
    }
}
