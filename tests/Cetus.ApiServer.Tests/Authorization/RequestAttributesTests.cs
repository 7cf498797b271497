using Cetus.ApiServer.Authorization;
using Cetus.ApiServer.Security;
using Microsoft.AspNetCore.Http;
using Xunit;

namespace Cetus.ApiServer.Tests.Authorization;

public sealed class RequestAttributesTests
{
    private static readonly UserInfo Alice = new("alice", "", []);

    [Theory]
    [InlineData("GET", "/api/v1/namespaces/default/pods", "", "list||default|pods||")]
    [InlineData("GET", "/api/v1/namespaces/default/pods", "?watch=true", "watch||default|pods||")]
    [InlineData("GET", "/api/v1/namespaces/default/pods", "?watch=false", "list||default|pods||")]
    [InlineData("GET", "/api/v1/namespaces/default/pods", "?fieldSelector=metadata.name%3Dweb", "list||default|pods||web")]
    [InlineData("GET", "/api/v1/namespaces/default/configmaps", "?watch=true&fieldSelector=metadata.name%3Dcm-a", "watch||default|configmaps||cm-a")]
    [InlineData("GET", "/api/v1/namespaces/default/secrets", "?fieldSelector=metadata.name!%3Dsec-a", "list||default|secrets||")]
    [InlineData("GET", "/api/v1/namespaces/default/pods/web", "", "get||default|pods||web")]
    [InlineData("GET", "/api/v1/namespaces/default/pods/web/log", "", "get||default|pods|log|web")]
    [InlineData("PATCH", "/apis/apps/v1/namespaces/team/deployments/web/scale", "", "patch|apps|team|deployments|scale|web")]
    [InlineData("PUT", "/api/v1/namespaces/default/pods/web/status", "", "update||default|pods|status|web")]
    [InlineData("POST", "/api/v1/namespaces/default/pods", "", "create||default|pods||")]
    [InlineData("DELETE", "/api/v1/namespaces/default/pods", "", "deletecollection||default|pods||")]
    [InlineData("DELETE", "/api/v1/namespaces/default/pods/web", "", "delete||default|pods||web")]
    [InlineData("GET", "/api/v1/nodes", "", "list|||nodes||")]
    [InlineData("GET", "/api/v1/namespaces", "", "list|||namespaces||")]
    [InlineData("GET", "/api/v1/namespaces/team", "", "get||team|namespaces||team")]
    [InlineData("PUT", "/api/v1/namespaces/team/finalize", "", "update||team|namespaces|finalize|team")]
    [InlineData("GET", "/api/v1/watch/namespaces/default/pods", "", "watch||default|pods||")]
    [InlineData("POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", "", "create|authorization.k8s.io||selfsubjectaccessreviews||")]
    public void ResourceRequests_AreParsedAsKubeApiserverDoes(string method, string path, string query, string expected)
    {
        var attributes = RequestAttributes.From(Alice, method, path, Query(query));

        Assert.True(attributes.IsResourceRequest);
        Assert.Equal(expected, string.Join('|', attributes.Verb, attributes.ApiGroup, attributes.Namespace, attributes.Resource, attributes.Subresource, attributes.Name));
    }

    [Theory]
    [InlineData("GET", "/healthz", "get")]
    [InlineData("GET", "/version", "get")]
    [InlineData("GET", "/api", "get")]
    [InlineData("GET", "/api/v1", "get")]
    [InlineData("GET", "/apis", "get")]
    [InlineData("GET", "/apis/apps", "get")]
    [InlineData("GET", "/apis/apps/v1", "get")]
    [InlineData("GET", "/openapi/v3/api/v1", "get")]
    [InlineData("POST", "/metrics", "post")]
    public void DiscoveryAndOtherPaths_AreNonResourceRequests(string method, string path, string verb)
    {
        var attributes = RequestAttributes.From(Alice, method, path, Query(""));

        Assert.False(attributes.IsResourceRequest);
        Assert.Equal(verb, attributes.Verb);
        Assert.Equal(path, attributes.Path);
    }

    private static IQueryCollection Query(string query) => new QueryCollection(Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(query));
}
