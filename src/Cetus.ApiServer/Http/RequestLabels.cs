using Cetus.ApiServer.Routing;
using Microsoft.AspNetCore.Http;

namespace Cetus.ApiServer.Http;

/// <summary>How a request is counted: kube-apiserver's verb (GET, LIST, WATCH, POST, …) and the resource it addresses.</summary>
internal sealed record RequestLabels(string Verb, string Group, string Version, string Resource, string Subresource)
{
    public bool IsMutating => Verb is "POST" or "PUT" or "PATCH" or "DELETE" or "DELETECOLLECTION";

    public static RequestLabels Of(HttpContext context)
    {
        var method = context.Request.Method.ToUpperInvariant();
        var info = RequestInfo.Parse(context.Request.Path.Value ?? "/");
        if (info is null)
        {
            return new RequestLabels(method, string.Empty, string.Empty, string.Empty, string.Empty);
        }

        var collection = info.Name.Length == 0;
        var verb = (method, collection) switch
        {
            ("GET", true) when QueryParameters.Parse(context.Request.QueryString.Value)["watch"].LastOrDefault() is { Length: > 0 } watch && watch != "0" && !watch.Equals("false", StringComparison.OrdinalIgnoreCase) => "WATCH",
            ("GET", true) => "LIST",
            ("DELETE", true) => "DELETECOLLECTION",
            _ => method,
        };
        return new RequestLabels(verb, info.Group, info.Version, info.Resource, info.Subresource);
    }
}
