using System.Text.Json.Nodes;
using Cetus.Kubelet.Server;
using Microsoft.AspNetCore.Http;
using Xunit;

namespace Cetus.Kubelet.Tests.Server;

/// <summary>The Status the kubelet's server answers a refused request with.</summary>
public sealed class KubeletStatusTests
{
    [Fact]
    public async Task ARefusal_IsAKubernetesStatus_WithItsCodeReasonAndMessage()
    {
        var context = new DefaultHttpContext();
        using var body = new MemoryStream();
        context.Response.Body = body;

        await KubeletServer.WriteStatusAsync(context, 404, "NotFound", "the log of container \"main\" in pod \"p\" is gone");

        Assert.Equal(404, context.Response.StatusCode);
        Assert.Equal("application/json", context.Response.ContentType);
        var status = JsonNode.Parse(body.ToArray())!;
        Assert.Equal(body.Length, context.Response.ContentLength);
        Assert.Equal(("v1", "Status", "Failure", "NotFound", 404), ((string?)status["apiVersion"], (string?)status["kind"], (string?)status["status"], (string?)status["reason"], (int?)status["code"]));
        Assert.Equal("the log of container \"main\" in pod \"p\" is gone", (string?)status["message"]);
    }
}
