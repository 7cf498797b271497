namespace Cetus.Api.Patching;

/// <summary>The patch formats a PATCH request names by its Content-Type (server-side apply is separate).</summary>
public enum PatchType
{
    /// <summary>JSON Patch, RFC 6902: <c>application/json-patch+json</c>.</summary>
    Json,

    /// <summary>JSON Merge Patch, RFC 7386: <c>application/merge-patch+json</c>.</summary>
    Merge,

    /// <summary>Strategic merge patch: <c>application/strategic-merge-patch+json</c>; built-in types only.</summary>
    StrategicMerge,
}
