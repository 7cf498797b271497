namespace Cetus.Api.Patching;

/// <summary>The Content-Types of the patch formats.</summary>
public static class PatchMediaTypes
{
    /// <summary>JSON Patch.</summary>
    public const string JsonPatch = "application/json-patch+json";

    /// <summary>JSON Merge Patch.</summary>
    public const string MergePatch = "application/merge-patch+json";

    /// <summary>Strategic merge patch.</summary>
    public const string StrategicMergePatch = "application/strategic-merge-patch+json";

    /// <summary>The patch type of a Content-Type, parameters such as <c>; charset=utf-8</c> ignored.</summary>
    /// <param name="contentType">The request's Content-Type header.</param>
    /// <param name="type">The patch type, when recognized.</param>
    /// <returns>Whether the media type is one of the three patch formats.</returns>
    public static bool TryParse(string? contentType, out PatchType type)
    {
        var mediaType = (contentType ?? "").Split(';', 2)[0].Trim();
        (var known, type) = mediaType.ToLowerInvariant() switch
        {
            JsonPatch => (true, PatchType.Json),
            MergePatch => (true, PatchType.Merge),
            StrategicMergePatch => (true, PatchType.StrategicMerge),
            _ => (false, default),
        };
        return known;
    }
}
