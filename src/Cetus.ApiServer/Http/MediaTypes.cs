namespace Cetus.ApiServer.Http;

/// <summary>The media types the API server reads and writes.</summary>
public static class MediaTypes
{
    /// <summary>JSON.</summary>
    public const string Json = "application/json";

    /// <summary>YAML bodies (kube-apiserver accepts them).</summary>
    public const string Yaml = "application/yaml";

    /// <summary>RFC 6902 JSON patch.</summary>
    public const string JsonPatch = "application/json-patch+json";

    /// <summary>RFC 7386 merge patch.</summary>
    public const string MergePatch = "application/merge-patch+json";

    /// <summary>Kubernetes' strategic merge patch.</summary>
    public const string StrategicMergePatch = "application/strategic-merge-patch+json";

    /// <summary>Server-side apply.</summary>
    public const string ApplyPatch = "application/apply-patch+yaml";

    /// <summary>What a body may be, for the 415 message.</summary>
    public const string AcceptedBodies = "application/json, application/yaml, application/vnd.kubernetes.protobuf";

    /// <summary>Kubernetes' protobuf encoding: typed clients (kubectl create configmap, …) send bodies in it.</summary>
    public const string Protobuf = "application/vnd.kubernetes.protobuf";

    /// <summary>The media type without parameters, lower-case; JSON when the header is missing (kubectl sends PUT /scale without one).</summary>
    public static string Of(string? contentType)
    {
        if (string.IsNullOrWhiteSpace(contentType))
        {
            return Json;
        }

        var semicolon = contentType.IndexOf(';', StringComparison.Ordinal);
        return (semicolon < 0 ? contentType : contentType[..semicolon]).Trim().ToLowerInvariant();
    }
}
