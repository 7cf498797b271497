using Cetus.ApiServer.Errors;
using Cetus.ApiServer.Security;
using Microsoft.AspNetCore.Http;

namespace Cetus.ApiServer.Authorization;

/// <summary>
/// The Impersonate-User, Impersonate-Group, Impersonate-Uid and Impersonate-Extra-* headers (apiserver's
/// filters/impersonation.go): each thing impersonated needs the <c>impersonate</c> verb on users, groups,
/// serviceaccounts, uids or userextras; the request then acts as the impersonated user.
/// </summary>
public static class Impersonation
{
    private const string UserHeader = "Impersonate-User";
    private const string GroupHeader = "Impersonate-Group";
    private const string UidHeader = "Impersonate-Uid";
    private const string ExtraPrefix = "Impersonate-Extra-";
    private const string ServiceAccountPrefix = "system:serviceaccount:";

    /// <summary>The user the request acts as: <paramref name="user"/> itself when it impersonates no one.</summary>
    public static UserInfo Apply(HttpContext context, UserInfo user, Func<RequestAttributes, (bool Allowed, string Reason)> authorize)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(authorize);
        var headers = context.Request.Headers;
        if (!headers.Keys.Any(k => k.StartsWith("Impersonate-", StringComparison.OrdinalIgnoreCase)))
        {
            return user;
        }

        var requestedUser = headers[UserHeader].ToString();
        var requestedGroups = headers[GroupHeader].Where(g => g is not null).Select(g => g!).ToList();
        var requestedUid = headers[UidHeader].ToString();
        var extras = headers.Where(h => h.Key.StartsWith(ExtraPrefix, StringComparison.OrdinalIgnoreCase)).ToList();
        if (requestedUser.Length == 0)
        {
            if (requestedGroups.Count > 0 || requestedUid.Length > 0 || extras.Count > 0)
            {
                throw Problems.Internal($"requested impersonation of groups, uid or extras without impersonating a user");
            }

            return user;
        }

        var checks = new List<RequestAttributes>();
        var name = requestedUser;
        var groups = new List<string>();
        if (requestedUser.StartsWith(ServiceAccountPrefix, StringComparison.Ordinal) && requestedUser[ServiceAccountPrefix.Length..].Split(':') is [{ Length: > 0 } saNamespace, { Length: > 0 } saName])
        {
            checks.Add(Check(user, "serviceaccounts", string.Empty, saNamespace, saName));
            if (requestedGroups.Count == 0)
            {
                groups.AddRange(["system:serviceaccounts", $"system:serviceaccounts:{saNamespace}"]);
            }
        }
        else
        {
            checks.Add(Check(user, "users", string.Empty, string.Empty, requestedUser));
        }

        foreach (var group in requestedGroups)
        {
            checks.Add(Check(user, "groups", string.Empty, string.Empty, group));
            groups.Add(group);
        }

        var extra = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var (header, values) in extras)
        {
            var key = Uri.UnescapeDataString(header[ExtraPrefix.Length..].ToLowerInvariant());
            foreach (var value in values.Where(v => v is not null))
            {
                checks.Add(Check(user, "userextras", "authentication.k8s.io", string.Empty, value!) with { Subresource = key });
                extra[key] = [.. extra.GetValueOrDefault(key) ?? [], value!];
            }
        }

        if (requestedUid.Length > 0)
        {
            checks.Add(Check(user, "uids", "authentication.k8s.io", string.Empty, requestedUid));
        }

        foreach (var check in checks)
        {
            var (allowed, reason) = authorize(check);
            if (!allowed)
            {
                throw Forbidden.For(check, reason);
            }
        }

        // An impersonated user is authenticated, unless the groups asked say otherwise.
        if (!groups.Contains("system:authenticated") && !groups.Contains("system:unauthenticated"))
        {
            groups.Add("system:authenticated");
        }

        return new UserInfo(name, requestedUid, groups) { Extra = extra };
    }

    private static RequestAttributes Check(UserInfo user, string resource, string group, string ns, string name) =>
        RequestAttributes.ForResource(user, "impersonate", group, resource, ns, name);
}
