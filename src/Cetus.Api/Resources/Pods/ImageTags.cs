namespace Cetus.Api.Resources.Pods;

/// <summary>The tag of an image reference, as kubelet's parsers.ParseImageName reports it for pull-policy defaulting.</summary>
internal static class ImageTags
{
    /// <summary>
    /// "latest" when the reference has neither tag nor digest; empty when it has only a digest or does not parse
    /// (upper case in the repository, spaces); the tag otherwise.
    /// </summary>
    public static string Tag(string? image)
    {
        var reference = image ?? "";
        if (reference.Length == 0 || reference.Any(char.IsWhiteSpace))
        {
            return "";
        }

        var at = reference.IndexOf('@', StringComparison.Ordinal);
        var named = at < 0 ? reference : reference[..at];
        var slash = named.LastIndexOf('/');
        var colon = named.LastIndexOf(':');
        var tag = colon > slash ? named[(colon + 1)..] : null;
        var repository = tag is null ? named : named[..colon];
        var path = repository.IndexOf('/', StringComparison.Ordinal) is var first and > 0 && LooksLikeRegistry(repository[..first])
            ? repository[(first + 1)..]
            : repository;
        if (path.Any(char.IsUpper))
        {
            return "";
        }

        return tag ?? (at < 0 ? "latest" : "");
    }

    // The first component is a registry host when it has a dot or a port, or is localhost.
    private static bool LooksLikeRegistry(string component) =>
        component.Contains('.', StringComparison.Ordinal) || component.Contains(':', StringComparison.Ordinal) || component == "localhost";
}
