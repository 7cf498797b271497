using Cetus.Api.Json;
using Cetus.ApiServer.Errors;
using k8s.Models;
using Microsoft.AspNetCore.Http;

namespace Cetus.ApiServer.Http;

/// <summary>Writes API responses.</summary>
public static class Responses
{
    /// <summary>Writes JSON bytes with a status code.</summary>
    public static async Task WriteJsonAsync(HttpContext context, int statusCode, byte[] json, string? contentType = null)
    {
        context.Response.StatusCode = statusCode;
        context.Response.ContentType = contentType ?? MediaTypes.Json;
        context.Response.ContentLength = json.Length;
        await context.Response.Body.WriteAsync(json, context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>Writes a failure Status (and Retry-After when it has one).</summary>
    public static Task WriteErrorAsync(HttpContext context, ApiException error)
    {
        if (error.RetryAfterSeconds is { } seconds)
        {
            context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return WriteJsonAsync(context, error.Code, KubeJson.Serialize(error.Status));
    }

    /// <summary>The Status a delete answers with when it removed the object at once.</summary>
    public static V1Status Success(string group, string kind, string name, string? uid) => new()
    {
        ApiVersion = "v1",
        Kind = "Status",
        Metadata = new V1ListMeta(),
        Status = "Success",
        Details = new V1StatusDetails { Name = name, Group = group.Length == 0 ? null : group, Kind = kind, Uid = uid },
    };
}
