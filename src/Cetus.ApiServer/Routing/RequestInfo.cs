namespace Cetus.ApiServer.Routing;

/// <summary>What a resource request addresses, parsed from its path as kube-apiserver's RequestInfoFactory does.</summary>
public sealed record RequestInfo
{
    private static readonly HashSet<string> NamespaceSubresources = ["status", "finalize"];

    /// <summary>API group; empty for the core group (<c>/api</c>).</summary>
    public required string Group { get; init; }

    /// <summary>API version.</summary>
    public required string Version { get; init; }

    /// <summary>The namespace in the path, or empty.</summary>
    public string Namespace { get; init; } = string.Empty;

    /// <summary>The resource (plural).</summary>
    public required string Resource { get; init; }

    /// <summary>The object's name, or empty for a collection.</summary>
    public string Name { get; init; } = string.Empty;

    /// <summary>The subresource (<c>status</c>, <c>scale</c>, …), or empty.</summary>
    public string Subresource { get; init; } = string.Empty;

    /// <summary>
    /// Parses <c>/api/v1/…</c> or <c>/apis/group/version/…</c> below the group-version; null when the path
    /// addresses no resource (discovery documents are served elsewhere).
    /// </summary>
    public static RequestInfo? Parse(string path)
    {
        var parts = path.Trim('/').Split('/');
        string group;
        int rest;
        if (parts.Length >= 3 && parts[0] == "api")
        {
            group = string.Empty;
            rest = 2;
        }
        else if (parts.Length >= 4 && parts[0] == "apis")
        {
            group = parts[1];
            rest = 3;
        }
        else
        {
            return null;
        }

        var version = parts[rest - 1];
        var segments = parts[rest..];
        if (segments.Any(s => s.Length == 0 || s == "." || s == ".."))
        {
            return null;
        }

        var ns = string.Empty;
        if (segments[0] == "namespaces" && segments.Length >= 2)
        {
            ns = segments[1];
            // /namespaces/{ns}/{resource}…, except a namespace's own subresources: /namespaces/{name}/status.
            if (segments.Length > 2 && !NamespaceSubresources.Contains(segments[2]))
            {
                segments = segments[2..];
            }
            else
            {
                return new RequestInfo
                {
                    Group = group,
                    Version = version,
                    Resource = "namespaces",
                    Name = ns,
                    Subresource = segments.Length > 2 ? segments[2] : string.Empty,
                    Namespace = string.Empty,
                } is var info && segments.Length <= 3 ? info : null;
            }
        }

        if (segments.Length > 3)
        {
            return null;
        }

        return new RequestInfo
        {
            Group = group,
            Version = version,
            Namespace = ns,
            Resource = segments[0],
            Name = segments.Length > 1 ? segments[1] : string.Empty,
            Subresource = segments.Length > 2 ? segments[2] : string.Empty,
        };
    }
}
