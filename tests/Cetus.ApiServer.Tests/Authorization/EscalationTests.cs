using Cetus.ApiServer.Authorization;
using Cetus.ApiServer.Security;
using k8s.Models;
using Xunit;

namespace Cetus.ApiServer.Tests.Authorization;

public sealed class EscalationTests
{
    [Theory]
    [InlineData("get,list|core|pods|", "get|core|pods|", true)]
    [InlineData("get|core|pods|", "get,list|core|pods|", false)]
    [InlineData("*|core|pods|", "delete|core|pods|", true)]
    [InlineData("get|*|pods|", "get|apps|pods|", true)]
    [InlineData("get|core|*|", "get|core|secrets|", true)]
    [InlineData("get|core|*/status|", "get|core|pods/status|", true)]
    [InlineData("get|core|*/status|", "get|core|pods|", false)]
    [InlineData("get|core|secrets|", "get|core|secrets|one", true)]
    [InlineData("get|core|secrets|one", "get|core|secrets|one", true)]
    [InlineData("get|core|secrets|one", "get|core|secrets|two", false)]
    [InlineData("get|core|secrets|one", "get|core|secrets|", false)]
    public void Covers_AsUpstreamRuleCovers(string owned, string wanted, bool covered)
    {
        Assert.Equal(covered, Escalation.Missing([PolicyRulesTests.ParseRule(owned)], [PolicyRulesTests.ParseRule(wanted)]).Count == 0);
    }

    [Fact]
    public void Covers_NonResourceUrls_WithTrailingStars()
    {
        V1PolicyRule[] owned = [new() { Verbs = ["get"], NonResourceURLs = ["/healthz", "/apis/*"] }];

        Assert.Empty(Escalation.Missing(owned, [new V1PolicyRule { Verbs = ["get"], NonResourceURLs = ["/apis/apps", "/healthz"] }]));
        Assert.Single(Escalation.Missing(owned, [new V1PolicyRule { Verbs = ["get"], NonResourceURLs = ["/metrics"] }]));
    }

    [Fact]
    public void Message_ListsTheMissingRulesCompacted_AsUpstream()
    {
        var user = new UserInfo("bob", "", ["dev", "system:authenticated"]);
        var missing = Escalation.Missing([PolicyRulesTests.ParseRule("get|core|configmaps|")], [PolicyRulesTests.ParseRule("get,list|core|secrets,configmaps|"), new V1PolicyRule { Verbs = ["get"], NonResourceURLs = ["/metrics"] }]);

        Assert.Equal(
            "user \"bob\" (groups=[\"dev\" \"system:authenticated\"]) is attempting to grant RBAC permissions not currently held:\n" +
            "{APIGroups:[\"\"], Resources:[\"configmaps\"], Verbs:[\"list\"]}\n" +
            "{APIGroups:[\"\"], Resources:[\"secrets\"], Verbs:[\"get\" \"list\"]}\n" +
            "{NonResourceURLs:[\"/metrics\"], Verbs:[\"get\"]}",
            Escalation.Message(user, missing, []));
    }
}
