using System.Text.Json.Nodes;
using Cetus.ApiServer.Errors;
using Cetus.ApiServer.Http;

namespace Cetus.ApiServer.Handlers;

/// <summary>Applies a patch of one of the Kubernetes patch media types to an object's JSON.</summary>
internal static class Patcher
{
    public const string Supported = "application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json, application/apply-patch+yaml";

    public static JsonNode Apply(string mediaType, JsonNode original, JsonNode patch, Type modelType) => mediaType switch
    {
        _ => throw Problems.UnsupportedMediaType(Supported),
    };
}
