using Cetus.ApiServer.Security;
using Microsoft.AspNetCore.Http;

namespace Cetus.ApiServer.Authorization;

/// <summary>
/// What a request asks to do, as kube-apiserver's RequestInfoFactory derives it from the method and path: a resource
/// request (verb, API group, namespace, resource, subresource, name) or a non-resource one (verb and path).
/// </summary>
public sealed record RequestAttributes
{
    private static readonly HashSet<string> NamespaceSubresources = ["status", "finalize"];

    /// <summary>Who asks.</summary>
    public required UserInfo User { get; init; }

    /// <summary>get, list, watch, create, update, patch, delete, deletecollection (lower-case method for non-resource requests).</summary>
    public required string Verb { get; init; }

    /// <summary>True for requests under /api/{version} or /apis/{group}/{version}; false for /healthz, /version, /api, /apis, …</summary>
    public bool IsResourceRequest { get; init; }

    /// <summary>The URL path.</summary>
    public string Path { get; init; } = string.Empty;

    /// <summary>The API group (empty for the core group).</summary>
    public string ApiGroup { get; init; } = string.Empty;

    /// <summary>The API version.</summary>
    public string ApiVersion { get; init; } = string.Empty;

    /// <summary>The namespace, or empty for cluster-scoped requests.</summary>
    public string Namespace { get; init; } = string.Empty;

    /// <summary>The resource, e.g. pods.</summary>
    public string Resource { get; init; } = string.Empty;

    /// <summary>The subresource, e.g. status, log, scale.</summary>
    public string Subresource { get; init; } = string.Empty;

    /// <summary>The object's name, or empty.</summary>
    public string Name { get; init; } = string.Empty;

    /// <summary>The raw fieldSelector of a list or watch (the node authorizer reads spec.nodeName from it).</summary>
    public string FieldSelector { get; init; } = string.Empty;

    /// <summary>The value a field selector requires for <paramref name="field"/> (<c>field=value</c> or <c>field==value</c>), or null.</summary>
    public string? FieldSelectorValue(string field)
    {
        foreach (var term in FieldSelector.Split(','))
        {
            var at = term.IndexOf('=', StringComparison.Ordinal);
            if (at > 0 && !term[..at].EndsWith('!') && term[..at].Trim() == field)
            {
                return term[(at + 1)..].TrimStart('=').Trim();
            }
        }

        return null;
    }

    /// <summary>The attributes of a check the server makes itself (impersonate, bind, escalate): a resource request.</summary>
    public static RequestAttributes ForResource(UserInfo user, string verb, string group, string resource, string ns, string name) => new()
    {
        User = user,
        Verb = verb,
        IsResourceRequest = true,
        ApiGroup = group,
        ApiVersion = "v1",
        Resource = resource,
        Namespace = ns,
        Name = name,
    };

    /// <summary>Derives the attributes of a request (requestinfo.go's NewRequestInfo).</summary>
    public static RequestAttributes From(UserInfo user, string method, string path, IQueryCollection query)
    {
        var nonResource = new RequestAttributes { User = user, Verb = method.ToLowerInvariant(), Path = path };
        var parts = path.Trim('/').Split('/');
        if (parts.Length < 3 || parts[0] is not ("api" or "apis"))
        {
            return nonResource;
        }

        var group = string.Empty;
        var rest = parts.AsSpan(1);
        if (parts[0] == "apis")
        {
            if (rest.Length < 3)
            {
                return nonResource;
            }

            group = rest[0];
            rest = rest[1..];
        }

        var version = rest[0];
        rest = rest[1..];
        string verb;
        var viaMethod = false;
        if (rest[0] is "watch" or "proxy")
        {
            if (rest.Length < 2)
            {
                return nonResource;
            }

            verb = rest[0];
            rest = rest[1..];
        }
        else
        {
            viaMethod = true;
            verb = method.ToUpperInvariant() switch
            {
                "POST" => "create",
                "GET" or "HEAD" => "get",
                "PUT" => "update",
                "PATCH" => "patch",
                "DELETE" => "delete",
                _ => string.Empty,
            };
        }

        var ns = string.Empty;
        if (rest[0] == "namespaces" && rest.Length > 1)
        {
            ns = rest[1];
            if (rest.Length > 2 && !NamespaceSubresources.Contains(rest[2]))
            {
                rest = rest[2..];
            }
        }

        var resource = rest[0];
        var name = rest.Length >= 2 ? rest[1] : string.Empty;
        // A proxy request's path after the name is the proxied path, not a subresource.
        var subresource = rest.Length >= 3 && verb != "proxy" ? rest[2] : string.Empty;
        if (viaMethod && name.Length == 0 && verb == "get")
        {
            verb = query["watch"].ToString() is "true" or "1" ? "watch" : "list";
            // A list or watch of one object by its name is authorized as that object's.
            if (FieldSelectorName(query["fieldSelector"].ToString()) is { } selected)
            {
                name = selected;
            }
        }

        if (viaMethod && name.Length == 0 && verb == "delete")
        {
            verb = "deletecollection";
        }

        return new RequestAttributes
        {
            User = user,
            Verb = verb,
            IsResourceRequest = true,
            Path = path,
            ApiGroup = group,
            ApiVersion = version,
            Namespace = ns,
            Resource = resource,
            Subresource = subresource,
            Name = name,
            FieldSelector = query["fieldSelector"].ToString(),
        };
    }

    private static string? FieldSelectorName(string selector)
    {
        if (selector.Length == 0)
        {
            return null;
        }

        string? name = null;
        foreach (var term in selector.Split(','))
        {
            var at = term.IndexOf('=', StringComparison.Ordinal);
            if (at < 0)
            {
                continue;
            }

            var key = term[..at].Trim();
            var value = term[(at + 1)..].TrimStart('=').Trim();
            if (key == "metadata.name" && !term[..at].EndsWith('!'))
            {
                name = value;
            }
        }

        return name is { Length: > 0 } && !name.Contains('/', StringComparison.Ordinal) && !name.Contains('%', StringComparison.Ordinal) && name is not ("." or "..") ? name : null;
    }
}
