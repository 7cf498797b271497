using System.Text.Json.Nodes;
using Cetus.ApiServer.Protobuf;
using Cetus.Testing;
using Xunit;

namespace Cetus.ApiServer.Tests.Protobuf;

/// <summary>
/// The real kubectl against a recording server: what its typed clients send decodes to the right JSON, and — since
/// kubectl decodes a protobuf reply into its Go types and prints them with encoding/json — the decoder's JSON for any
/// body equals what kubectl prints for the same body, which makes kubectl the reference for Go's JSON rules.
/// </summary>
public sealed class KubectlProtobufTests
{
    public static TheoryData<string, string, string[]> Commands => new()
    {
        { "v1", "ConfigMap", ["create", "configmap", "x", "--from-literal=k=v", "--from-literal=a=b"] },
        { "v1", "Secret", ["create", "secret", "generic", "s", "--from-literal=password=hunter2"] },
        { "v1", "Namespace", ["create", "namespace", "team-a"] },
        { "v1", "ServiceAccount", ["create", "serviceaccount", "robot"] },
        { "v1", "Service", ["create", "service", "clusterip", "web", "--tcp=80:8080"] },
        { "v1", "ResourceQuota", ["create", "quota", "q", "--hard=pods=2,requests.cpu=500m"] },
        { "apps/v1", "Deployment", ["create", "deployment", "web", "--image=nginx:1.27", "--replicas=2", "--port=80"] },
        { "batch/v1", "Job", ["create", "job", "j", "--image=busybox:1.35"] },
        { "batch/v1", "CronJob", ["create", "cronjob", "c", "--image=busybox:1.35", "--schedule=*/5 * * * *"] },
        { "rbac.authorization.k8s.io/v1", "Role", ["create", "role", "r", "--verb=get", "--resource=pods"] },
        { "rbac.authorization.k8s.io/v1", "ClusterRole", ["create", "clusterrole", "cr", "--verb=get", "--resource=pods"] },
        { "rbac.authorization.k8s.io/v1", "RoleBinding", ["create", "rolebinding", "rb", "--role=r", "--user=alice"] },
        { "rbac.authorization.k8s.io/v1", "ClusterRoleBinding", ["create", "clusterrolebinding", "crb", "--clusterrole=cr", "--group=devs"] },
        { "policy/v1", "PodDisruptionBudget", ["create", "pdb", "p", "--selector=app=web", "--min-available=50%"] },
        { "networking.k8s.io/v1", "Ingress", ["create", "ingress", "i", "--rule=foo.com/bar=svc:80"] },
        { "scheduling.k8s.io/v1", "PriorityClass", ["create", "priorityclass", "high", "--value=1000"] },
        { "authentication.k8s.io/v1", "SelfSubjectReview", ["auth", "whoami"] },
    };

    [Fact]
    public async Task CreateConfigMap_SendsProtobuf_ThatDecodesToTheConfigMap()
    {
        await using var server = RecordingKubeServer.Start();

        var result = await Kubectl.RunAsync(server.KubeconfigPath, "create", "configmap", "x", "--from-literal=k=v");

        Assert.True(result.ExitCode == 0, result.ToString());
        var post = Assert.Single(server.Posts);
        Assert.Equal("/api/v1/namespaces/default/configmaps", post.Path);
        Assert.Equal(KubeProtobuf.MediaType, post.ContentType);
        Assert.True(KubeProtobuf.HasEnvelope(post.Body));
        var json = KubeProtobuf.ToJson(post.Body);
        Assert.Equal("ConfigMap", (string?)json["kind"]);
        Assert.Equal("v1", (string?)json["apiVersion"]);
        Assert.Equal("x", (string?)json["metadata"]!["name"]);
        Assert.Null(json["metadata"]!["creationTimestamp"]);
        Assert.True(json["metadata"]!.AsObject().ContainsKey("creationTimestamp"), "Go writes a zero metav1.Time as null");
        Assert.False(json["metadata"]!.AsObject().ContainsKey("namespace"), "an empty string under omitempty is left out");
        Assert.Equal("v", (string?)json["data"]!["k"]);
        Assert.Equal(["kind", "apiVersion", "metadata", "data"], json.Select(p => p.Key));
    }

    [Theory]
    [MemberData(nameof(Commands))]
    public async Task KubectlsOwnBody_DecodesToWhatKubectlPrints(string apiVersion, string kind, string[] command)
    {
        await using var server = RecordingKubeServer.Start();
        server.Reply = body => (KubeProtobuf.MediaType, body);

        var printed = await PrintAsync(server, command);

        var post = Assert.Single(server.Posts);
        Assert.Equal(KubeProtobuf.MediaType, post.ContentType);
        var decoded = KubeProtobuf.ToJson(post.Body);
        Assert.Equal(apiVersion, (string?)decoded["apiVersion"]);
        Assert.Equal(kind, (string?)decoded["kind"]);
        AssertSameJson(printed, decoded);
    }

    [Theory]
    [MemberData(nameof(Commands))]
    public async Task EveryFieldPresentAndZero_DecodesToWhatKubectlPrints(string apiVersion, string kind, string[] command)
    {
        var type = KubeKinds.Find(apiVersion, kind)!;
        var reply = ProtobufBody.Of(apiVersion, kind, ZeroFilledMessage.Encode(type));
        await using var server = RecordingKubeServer.Start();
        server.Reply = _ => (KubeProtobuf.MediaType, reply);

        var printed = await PrintAsync(server, command);

        AssertSameJson(printed, KubeProtobuf.ToJson(reply));
    }

    private static async Task<JsonNode> PrintAsync(RecordingKubeServer server, string[] command)
    {
        // Kubectl.RunAsync adds its flags at the end, so the commands here have no "--".
        var result = await Kubectl.RunAsync(server.KubeconfigPath, [.. command, "-o", "json", "--show-managed-fields"]);
        Assert.True(result.ExitCode == 0, result.ToString());
        return JsonNode.Parse(result.Stdout)!;
    }

    private static void AssertSameJson(JsonNode expected, JsonNode actual)
    {
        if (!JsonNode.DeepEquals(expected, actual))
        {
            Assert.Fail($"kubectl printed:\n{expected.ToJsonString()}\nthe decoder wrote:\n{actual.ToJsonString()}");
        }
    }
}
