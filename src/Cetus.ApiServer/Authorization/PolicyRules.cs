using k8s.Models;

namespace Cetus.ApiServer.Authorization;

/// <summary>
/// Whether one RBAC rule allows a request, as pkg/apis/rbac/v1/evaluation_helpers.go decides: <c>*</c> matches any
/// verb, group, resource or URL; <c>*/status</c> any resource's status subresource; a URL ending in <c>*</c> every
/// path below it; no resourceNames means any name.
/// </summary>
public static class PolicyRules
{
    /// <summary>True when <paramref name="rule"/> allows the request.</summary>
    public static bool Allows(V1PolicyRule rule, RequestAttributes request)
    {
        ArgumentNullException.ThrowIfNull(rule);
        ArgumentNullException.ThrowIfNull(request);
        if (!VerbMatches(rule, request.Verb))
        {
            return false;
        }

        if (!request.IsResourceRequest)
        {
            return NonResourceUrlMatches(rule, request.Path);
        }

        var combined = request.Subresource.Length > 0 ? request.Resource + "/" + request.Subresource : request.Resource;
        return ApiGroupMatches(rule, request.ApiGroup)
            && ResourceMatches(rule, combined, request.Subresource)
            && ResourceNameMatches(rule, request.Name);
    }

    /// <summary>The rule lists the verb, or <c>*</c>.</summary>
    public static bool VerbMatches(V1PolicyRule rule, string verb) => Has(rule?.Verbs, verb);

    /// <summary>The rule lists the group, or <c>*</c>.</summary>
    public static bool ApiGroupMatches(V1PolicyRule rule, string group) => Has(rule?.ApiGroups, group);

    /// <summary>The rule lists <c>resource/subresource</c>, <c>*</c>, or <c>*/subresource</c>.</summary>
    public static bool ResourceMatches(V1PolicyRule rule, string combinedResource, string subresource)
    {
        foreach (var ruleResource in rule?.Resources ?? [])
        {
            if (ruleResource == "*" || ruleResource == combinedResource)
            {
                return true;
            }

            if (subresource.Length > 0 && ruleResource.Length == subresource.Length + 2 && ruleResource.StartsWith("*/", StringComparison.Ordinal) && ruleResource.EndsWith(subresource, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The rule names no object, or names this one.</summary>
    public static bool ResourceNameMatches(V1PolicyRule rule, string name) =>
        rule?.ResourceNames is not { Count: > 0 } names || names.Contains(name);

    /// <summary>The rule lists the path, <c>*</c>, or a prefix of it ending in <c>*</c>.</summary>
    public static bool NonResourceUrlMatches(V1PolicyRule rule, string path)
    {
        foreach (var url in rule?.NonResourceURLs ?? [])
        {
            if (url == "*" || url == path || (url.EndsWith('*') && path.StartsWith(url.TrimEnd('*'), StringComparison.Ordinal)))
            {
                return true;
            }
        }

        return false;
    }

    private static bool Has(IList<string>? values, string wanted)
    {
        foreach (var value in values ?? [])
        {
            if (value == "*" || value == wanted)
            {
                return true;
            }
        }

        return false;
    }
}
