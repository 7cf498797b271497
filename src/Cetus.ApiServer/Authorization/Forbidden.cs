using Cetus.ApiServer.Errors;
using k8s.Models;

namespace Cetus.ApiServer.Authorization;

/// <summary>
/// The 403 Status of a denied request, worded as responsewriters.ForbiddenStatusError and apierrors.NewForbidden:
/// <c>pods "web" is forbidden: User "alice" cannot get resource "pods" in API group "" in the namespace "default"</c>.
/// </summary>
public static class Forbidden
{
    /// <summary>The error for a request the authorizer denied, with its reason (if any) appended.</summary>
    public static ApiException For(RequestAttributes request, string reason)
    {
        ArgumentNullException.ThrowIfNull(request);
        var message = Message(request);
        if (!string.IsNullOrEmpty(reason))
        {
            message += ": " + reason;
        }

        return Problem(request.ApiGroup, request.IsResourceRequest ? request.Resource : string.Empty, request.Name, message);
    }

    /// <summary>apierrors.NewForbidden: <c>{resource.group} "{name}" is forbidden: {why}</c>.</summary>
    public static ApiException Problem(string group, string resource, string name, string why)
    {
        var qualified = group.Length == 0 ? resource : $"{resource}.{group}";
        var message = resource.Length == 0 ? $"forbidden: {why}"
            : name.Length == 0 ? $"{qualified} is forbidden: {why}"
            : $"{qualified} \"{name}\" is forbidden: {why}";
        var details = new V1StatusDetails { Group = group.Length == 0 ? null : group, Kind = resource.Length == 0 ? null : resource, Name = name.Length == 0 ? null : name };
        return new ApiException(Problems.Status(403, "Forbidden", message, details));
    }

    /// <summary>The sentence naming the user, verb and target (forbiddenMessage upstream).</summary>
    public static string Message(RequestAttributes request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var user = request.User.Name;
        if (!request.IsResourceRequest)
        {
            return $"User \"{user}\" cannot {request.Verb} path \"{request.Path}\"";
        }

        var resource = request.Subresource.Length > 0 ? $"{request.Resource}/{request.Subresource}" : request.Resource;
        return request.Namespace.Length > 0
            ? $"User \"{user}\" cannot {request.Verb} resource \"{resource}\" in API group \"{request.ApiGroup}\" in the namespace \"{request.Namespace}\""
            : $"User \"{user}\" cannot {request.Verb} resource \"{resource}\" in API group \"{request.ApiGroup}\" at the cluster scope";
    }
}
