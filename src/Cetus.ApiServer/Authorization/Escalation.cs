using k8s.Models;

namespace Cetus.ApiServer.Authorization;

/// <summary>
/// Whether one set of rules covers another (pkg/registry/rbac/validation/rule.go's Covers): every verb, group,
/// resource, name and URL of the wanted rules must be held by some owned rule. Used to refuse granting permissions
/// one does not hold.
/// </summary>
public static class Escalation
{
    /// <summary>The parts of <paramref name="wanted"/> that <paramref name="owned"/> does not cover (empty when covered).</summary>
    public static List<V1PolicyRule> Missing(IReadOnlyList<V1PolicyRule> owned, IEnumerable<V1PolicyRule> wanted)
    {
        ArgumentNullException.ThrowIfNull(owned);
        ArgumentNullException.ThrowIfNull(wanted);
        var missing = new List<V1PolicyRule>();
        foreach (var rule in wanted)
        {
            foreach (var part in Breakdown(rule))
            {
                if (!owned.Any(o => Covers(o, part)))
                {
                    missing.Add(part);
                }
            }
        }

        return missing;
    }

    /// <summary>
    /// Upstream's message: <c>user "alice" (groups=["system:authenticated"]) is attempting to grant RBAC permissions
    /// not currently held:</c> then one compact rule per line, sorted.
    /// </summary>
    public static string Message(Security.UserInfo user, IEnumerable<V1PolicyRule> missing, IReadOnlyList<string> resolutionErrors)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(resolutionErrors);
        var lines = Compact(missing).Select(CompactString).Distinct().Order(StringComparer.Ordinal);
        var message = $"user {Quote(user.Name)} (groups={GoStrings(user.Groups)}) is attempting to grant RBAC permissions not currently held:\n{string.Join("\n", lines)}";
        return resolutionErrors.Count > 0 ? message + $"; resolution errors: [{string.Join(" ", resolutionErrors)}]" : message;
    }

    /// <summary>One rule per verb, group, resource, name and URL (upstream's BreakdownRule).</summary>
    public static IEnumerable<V1PolicyRule> Breakdown(V1PolicyRule rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        foreach (var group in rule.ApiGroups ?? [])
        {
            foreach (var resource in rule.Resources ?? [])
            {
                foreach (var verb in rule.Verbs ?? [])
                {
                    if (rule.ResourceNames is { Count: > 0 } names)
                    {
                        foreach (var name in names)
                        {
                            yield return new V1PolicyRule { ApiGroups = [group], Resources = [resource], Verbs = [verb], ResourceNames = [name] };
                        }
                    }
                    else
                    {
                        yield return new V1PolicyRule { ApiGroups = [group], Resources = [resource], Verbs = [verb] };
                    }
                }
            }
        }

        foreach (var url in rule.NonResourceURLs ?? [])
        {
            foreach (var verb in rule.Verbs ?? [])
            {
                yield return new V1PolicyRule { NonResourceURLs = [url], Verbs = [verb] };
            }
        }
    }

    /// <summary>The rule as upstream's CompactString prints it: <c>{APIGroups:[""], Resources:["pods"], Verbs:["get" "list"]}</c>.</summary>
    public static string CompactString(V1PolicyRule rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        var parts = new List<string>();
        void Add(string name, IList<string>? values)
        {
            if (values is { Count: > 0 })
            {
                parts.Add($"{name}:{GoStrings(values)}");
            }
        }

        Add("APIGroups", rule.ApiGroups);
        Add("Resources", rule.Resources);
        Add("NonResourceURLs", rule.NonResourceURLs);
        Add("ResourceNames", rule.ResourceNames);
        Add("Verbs", rule.Verbs);
        return "{" + string.Join(", ", parts) + "}";
    }

    // ruleCovers: the owner holds every verb, group, resource (or */subresource), name and URL of the sub-rule.
    private static bool Covers(V1PolicyRule owner, V1PolicyRule sub)
    {
        var verbs = Has(owner.Verbs, "*") || HasAll(owner.Verbs, sub.Verbs);
        var groups = Has(owner.ApiGroups, "*") || HasAll(owner.ApiGroups, sub.ApiGroups);
        var resources = ResourcesCover(owner.Resources, sub.Resources);
        var urls = UrlsCover(owner.NonResourceURLs, sub.NonResourceURLs);
        var names = (sub.ResourceNames?.Count ?? 0) == 0
            ? (owner.ResourceNames?.Count ?? 0) == 0
            : (owner.ResourceNames?.Count ?? 0) == 0 || HasAll(owner.ResourceNames, sub.ResourceNames);
        return verbs && groups && resources && names && urls;
    }

    private static bool ResourcesCover(IList<string>? owned, IList<string>? wanted)
    {
        if (Has(owned, "*") || HasAll(owned, wanted))
        {
            return true;
        }

        foreach (var resource in wanted ?? [])
        {
            var slash = resource.IndexOf('/', StringComparison.Ordinal);
            if (!Has(owned, resource) && !(slash >= 0 && Has(owned, "*/" + resource[(slash + 1)..])))
            {
                return false;
            }
        }

        return true;
    }

    private static bool UrlsCover(IList<string>? owned, IList<string>? wanted)
    {
        foreach (var url in wanted ?? [])
        {
            if (!(owned ?? []).Any(o => o == url || (o.EndsWith('*') && url.StartsWith(o.TrimEnd('*'), StringComparison.Ordinal))))
            {
                return false;
            }
        }

        return true;
    }

    // CompactRules: single-group, single-resource rules with at most one name merge their verbs.
    private static IEnumerable<V1PolicyRule> Compact(IEnumerable<V1PolicyRule> rules)
    {
        var simple = new Dictionary<(string, string, string?), V1PolicyRule>();
        var order = new List<V1PolicyRule>();
        foreach (var rule in rules)
        {
            if ((rule.NonResourceURLs?.Count ?? 0) == 0 && rule.ApiGroups?.Count == 1 && rule.Resources?.Count == 1 && (rule.ResourceNames?.Count ?? 0) <= 1)
            {
                var key = (rule.ApiGroups[0], rule.Resources[0], rule.ResourceNames?.FirstOrDefault());
                if (simple.TryGetValue(key, out var existing))
                {
                    existing.Verbs = [.. existing.Verbs, .. rule.Verbs ?? []];
                    continue;
                }

                var copy = new V1PolicyRule { ApiGroups = [.. rule.ApiGroups], Resources = [.. rule.Resources], ResourceNames = rule.ResourceNames is { Count: > 0 } n ? [.. n] : null, Verbs = [.. rule.Verbs ?? []] };
                simple[key] = copy;
                order.Add(copy);
            }
            else
            {
                order.Add(rule);
            }
        }

        return order;
    }

    private static bool Has(IList<string>? values, string value) => values?.Contains(value) == true;

    private static bool HasAll(IList<string>? values, IList<string>? wanted) => (wanted ?? []).All(w => Has(values, w));

    private static string GoStrings(IEnumerable<string> values) => "[" + string.Join(" ", values.Select(Quote)) + "]";

    private static string Quote(string value) => "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}
