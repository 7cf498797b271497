using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace Cetus.ApiServer.OpenApi;

/// <summary>The OpenAPI v3 document of one group version, served at <c>/openapi/v3/{Path}</c>.</summary>
public sealed class OpenApiV3Document
{
    internal OpenApiV3Document(string path, byte[] json)
    {
        Path = path;
        Json = json;
        Hash = Convert.ToHexString(SHA512.HashData(json));
    }

    /// <summary>The group version's path: <c>api/v1</c>, <c>apis/apps/v1</c>.</summary>
    public string Path { get; }

    /// <summary>The document as UTF-8 JSON.</summary>
    public byte[] Json { get; }

    /// <summary>
    /// The upper-case hex SHA-512 of <see cref="Json"/>, as kube-apiserver computes it: the <c>hash</c> query parameter
    /// of <see cref="ServerRelativeUrl"/> and the ETag. Clients cache hashed URLs for good, so it must change whenever
    /// the document does.
    /// </summary>
    public string Hash { get; }

    /// <summary>The URL the root document lists for this group version: <c>/openapi/v3/{Path}?hash={Hash}</c>.</summary>
    public string ServerRelativeUrl => $"/openapi/v3/{Path}?hash={Hash}";

    /// <summary>A fresh, mutable copy of the document.</summary>
    public JsonObject ToJsonObject() => JsonNode.Parse(Json)!.AsObject();
}
