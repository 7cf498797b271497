using System.Text.Json.Nodes;
using Cetus.ApiServer.Protobuf;
using Xunit;

namespace Cetus.ApiServer.Tests.Protobuf;

/// <summary>
/// Bodies kubectl v1.32.4 sent (testassets/*.pb, recorded from `kubectl create …`, `kubectl debug node/n1`,
/// `kubectl auth …`), with what kubectl itself printed for them (*.kubectl.json) where it prints the object.
/// </summary>
public sealed class KubectlBodyTests
{
    [Theory]
    [InlineData("configmap")]
    [InlineData("secret")]
    [InlineData("namespace")]
    [InlineData("serviceaccount")]
    [InlineData("service")]
    [InlineData("deployment")]
    [InlineData("selfsubjectreview")]
    public void RecordedBody_DecodesToWhatKubectlPrinted(string name)
    {
        var expected = JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Protobuf", "testassets", name + ".kubectl.json")))!;

        var actual = KubeProtobuf.ToJson(ProtobufBody.Asset(name + ".pb"));

        Assert.True(JsonNode.DeepEquals(expected, actual), actual.ToJsonString());
    }

    [Fact]
    public void Secret_DataIsBase64()
    {
        var json = Decode("secret");

        Assert.Equal("Secret", (string?)json["kind"]);
        Assert.Equal("s", (string?)json["metadata"]!["name"]);
        Assert.Equal("aHVudGVyMg==", (string?)json["data"]!["password"]);
        Assert.Equal("YWRtaW4=", (string?)json["data"]!["user"]);
        Assert.Null(json["type"]);
    }

    [Fact]
    public void Namespace_HasSpecAndStatusObjects()
    {
        var json = Decode("namespace");

        Assert.Equal("team-a", (string?)json["metadata"]!["name"]);
        Assert.Empty(json["spec"]!.AsObject());
        Assert.Empty(json["status"]!.AsObject());
    }

    [Fact]
    public void Deployment_RoundTripsSpecAndTemplate()
    {
        var json = Decode("deployment");

        Assert.Equal("apps/v1", (string?)json["apiVersion"]);
        Assert.Equal("web", (string?)json["metadata"]!["name"]);
        Assert.Equal("web", (string?)json["metadata"]!["labels"]!["app"]);
        var spec = json["spec"]!;
        Assert.Equal(2, (int)spec["replicas"]!);
        Assert.Equal("web", (string?)spec["selector"]!["matchLabels"]!["app"]);
        Assert.Equal("web", (string?)spec["template"]!["metadata"]!["labels"]!["app"]);
        var container = Assert.Single(spec["template"]!["spec"]!["containers"]!.AsArray())!;
        Assert.Equal("nginx", (string?)container["name"]);
        Assert.Equal("nginx:1.27", (string?)container["image"]);
        Assert.Empty(container["resources"]!.AsObject());
        Assert.Empty(spec["strategy"]!.AsObject());
        Assert.Empty(json["status"]!.AsObject());
    }

    [Fact]
    public void Service_TargetPortIsANumber()
    {
        var port = Assert.Single(Decode("service")["spec"]!["ports"]!.AsArray())!;

        Assert.Equal("80-8080", (string?)port["name"]);
        Assert.Equal("TCP", (string?)port["protocol"]);
        Assert.Equal(80, (int)port["port"]!);
        Assert.Equal(8080, (int)port["targetPort"]!);
    }

    [Fact]
    public void DebugPod_HasHostNamespacesVolumesAndTolerations()
    {
        var json = Decode("pod-debug");

        Assert.Equal("Pod", (string?)json["kind"]);
        Assert.Equal("node-debugger-n1-gm6gz", (string?)json["metadata"]!["name"]);
        var spec = json["spec"]!;
        Assert.Equal("n1", (string?)spec["nodeName"]);
        Assert.Equal("Never", (string?)spec["restartPolicy"]);
        Assert.True((bool)spec["hostNetwork"]!);
        Assert.True((bool)spec["hostPID"]!);
        Assert.True((bool)spec["hostIPC"]!);
        var volume = Assert.Single(spec["volumes"]!.AsArray())!;
        Assert.Equal("host-root", (string?)volume["name"]);
        Assert.Equal("/", (string?)volume["hostPath"]!["path"]); // VolumeSource is inlined into the volume
        var container = Assert.Single(spec["containers"]!.AsArray())!;
        Assert.Equal(["sleep", "10"], container["command"]!.AsArray().Select(c => (string?)c));
        Assert.Equal("/host", (string?)container["volumeMounts"]![0]!["mountPath"]);
        Assert.Equal("File", (string?)container["terminationMessagePolicy"]);
        Assert.Equal("Exists", (string?)spec["tolerations"]![0]!["operator"]);
    }

    [Fact]
    public void SelfSubjectAccessReview_HasResourceAttributesAndAllowedFalse()
    {
        var json = Decode("selfsubjectaccessreview");

        Assert.Equal("authorization.k8s.io/v1", (string?)json["apiVersion"]);
        var attributes = json["spec"]!["resourceAttributes"]!;
        Assert.Equal("team-a", (string?)attributes["namespace"]);
        Assert.Equal("create", (string?)attributes["verb"]);
        Assert.Equal("apps", (string?)attributes["group"]);
        Assert.Equal("deployments", (string?)attributes["resource"]);
        Assert.Equal("scale", (string?)attributes["subresource"]);
        Assert.False((bool)json["status"]!["allowed"]!); // `json:"allowed"` has no omitempty
    }

    [Fact]
    public void SelfSubjectRulesReview_WritesNilRulesAsNull()
    {
        var json = Decode("selfsubjectrulesreview");

        Assert.Equal("team-a", (string?)json["spec"]!["namespace"]);
        var status = json["status"]!.AsObject();
        Assert.True(status.ContainsKey("resourceRules") && status["resourceRules"] is null);
        Assert.True(status.ContainsKey("nonResourceRules") && status["nonResourceRules"] is null);
        Assert.False((bool)status["incomplete"]!);
    }

    [Fact]
    public void TokenRequest_KeepsAudiencesAndExpiration()
    {
        var json = Decode("tokenrequest");

        Assert.Equal("TokenRequest", (string?)json["kind"]);
        Assert.Equal(["api"], json["spec"]!["audiences"]!.AsArray().Select(a => (string?)a));
        Assert.Equal(600, (long)json["spec"]!["expirationSeconds"]!);
        Assert.Null(json["status"]!["expirationTimestamp"]);
    }

    private static JsonObject Decode(string name) => KubeProtobuf.ToJson(ProtobufBody.Asset(name + ".pb"));
}
