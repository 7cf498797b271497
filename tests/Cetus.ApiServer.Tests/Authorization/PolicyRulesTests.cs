using Cetus.ApiServer.Authorization;
using Cetus.ApiServer.Security;
using k8s.Models;
using Xunit;

namespace Cetus.ApiServer.Tests.Authorization;

public sealed class PolicyRulesTests
{
    private static readonly UserInfo Alice = new("alice", "", ["system:authenticated"]);

    public static TheoryData<string, string, bool> ResourceCases => new()
    {
        // rule (verbs|groups|resources|names), request (verb group resource[/sub] [name]), allowed
        { "get|core|pods|", "get core pods", true },
        { "get|core|pods|", "list core pods", false },
        { "*|core|pods|", "deletecollection core pods", true },
        { "get|core|pods|", "get apps pods", false },
        { "get|*|pods|", "get apps pods", true },
        { "get|core|*|", "get core secrets", true },
        { "get|core|*|", "get core pods/log", true },
        { "get|core|pods|", "get core pods/log", false },
        { "get|core|pods/log|", "get core pods/log", true },
        { "get|core|pods/log|", "get core pods", false },
        { "get|core|*/status|", "get core pods/status", true },
        { "get|core|*/status|", "get core nodes/status", true },
        { "get|core|*/status|", "get core pods", false },
        { "get|core|*/status|", "get core pods/log", false },
        // Upstream has no resource/* wildcard: "pods/*" matches only a subresource literally named "*".
        { "get|core|pods/*|", "get core pods/status", false },
        { "get|core|secrets|visible", "get core secrets visible", true },
        { "get|core|secrets|visible", "get core secrets hidden", false },
        { "get|core|secrets|visible", "list core secrets", false },
        { "get|core|secrets|a,b", "get core secrets b", true },
        { "update|apps|deployments/scale|", "update apps deployments/scale web", true },
        { "update|apps|deployments/scale|", "update apps deployments web", false },
    };

    public static TheoryData<string, string, string, bool> UrlCases => new()
    {
        { "get", "/healthz", "get /healthz", true },
        { "get", "/healthz", "post /healthz", false },
        { "get", "/healthz", "get /healthz/etcd", false },
        { "get", "/healthz*", "get /healthz/etcd", true },
        { "get", "/apis/*", "get /apis/apps/v1", true },
        { "get", "/apis/*", "get /apis", false },
        { "*", "*", "delete /anything", true },
        { "get", "/version", "get /version/", false },
    };

    [Theory]
    [MemberData(nameof(ResourceCases))]
    public void ResourceRule_MatchesAsUpstream(string rule, string request, bool allowed)
    {
        Assert.Equal(allowed, PolicyRules.Allows(ParseRule(rule), ParseRequest(request)));
    }

    [Theory]
    [MemberData(nameof(UrlCases))]
    public void NonResourceRule_MatchesPathsAndTrailingStar(string verbs, string urls, string request, bool allowed)
    {
        var rule = new V1PolicyRule { Verbs = verbs.Split(','), NonResourceURLs = urls.Split(',') };
        var parts = request.Split(' ');

        Assert.Equal(allowed, PolicyRules.Allows(rule, new RequestAttributes { User = Alice, Verb = parts[0], Path = parts[1] }));
    }

    [Fact]
    public void ResourceRules_NeverMatchNonResourceRequests_AndTheReverse()
    {
        var resources = ParseRule("*|*|*|");
        var urls = new V1PolicyRule { Verbs = ["*"], NonResourceURLs = ["*"] };

        Assert.False(PolicyRules.Allows(resources, new RequestAttributes { User = Alice, Verb = "get", Path = "/healthz" }));
        Assert.False(PolicyRules.Allows(urls, ParseRequest("get core pods")));
    }

    internal static V1PolicyRule ParseRule(string text)
    {
        var parts = text.Split('|');
        return new V1PolicyRule
        {
            Verbs = parts[0].Split(','),
            ApiGroups = parts[1].Split(',').Select(g => g == "core" ? "" : g).ToList(),
            Resources = parts[2].Split(','),
            ResourceNames = parts[3].Length == 0 ? null : parts[3].Split(','),
        };
    }

    internal static RequestAttributes ParseRequest(string text, UserInfo? user = null, string ns = "default")
    {
        var parts = text.Split(' ');
        var resource = parts[2].Split('/');
        return new RequestAttributes
        {
            User = user ?? Alice,
            Verb = parts[0],
            IsResourceRequest = true,
            ApiGroup = parts[1] == "core" ? "" : parts[1],
            Resource = resource[0],
            Subresource = resource.Length > 1 ? resource[1] : "",
            Name = parts.Length > 3 ? parts[3] : "",
            Namespace = ns,
        };
    }
}
