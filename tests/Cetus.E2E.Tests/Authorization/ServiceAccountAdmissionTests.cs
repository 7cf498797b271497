using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Cetus.ApiServer.Security;
using Cetus.Testing;
using Xunit;

namespace Cetus.E2E.Tests.Authorization;

/// <summary>
/// The ServiceAccount admission plugin and the root CA publisher against a real cetus server (with its controller
/// manager, without a scheduler) and the real kubectl: what a created pod gets (the kube-api-access volume and mounts,
/// as kube-apiserver stores them), what it is refused, when it gets nothing, and kube-root-ca.crt in every namespace.
/// </summary>
public sealed partial class ServiceAccountAdmissionTests(ControllersServerFixture fixture) : IClassFixture<ControllersServerFixture>
{
    private const string MountPath = "/var/run/secrets/kubernetes.io/serviceaccount";

    // Exactly what kube-apiserver v1.32 stores for the volume the plugin adds (kubectl get pod -o json).
    private const string UpstreamProjection = """
        {
          "defaultMode": 420,
          "sources": [
            {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
            {"configMap": {"items": [{"key": "ca.crt", "path": "ca.crt"}], "name": "kube-root-ca.crt"}},
            {"downwardAPI": {"items": [{"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"}, "path": "namespace"}]}}
          ]
        }
        """;

    private string Admin => fixture.Server.Kubeconfig;

    [Fact]
    public async Task CreatedPod_RunsAsDefault_WithTheKubeApiAccessVolumeMountedInEveryContainer_AsUpstream()
    {
        await Namespace("saa-default");

        var pod = await CreatePodAsync("saa-default", """
            apiVersion: v1
            kind: Pod
            metadata: {name: web}
            spec:
              initContainers: [{name: init, image: busybox}]
              containers:
              - {name: app, image: busybox, volumeMounts: [{name: data, mountPath: /data}]}
              - {name: sidecar, image: busybox}
              volumes: [{name: data, emptyDir: {}}]
            """);

        var spec = pod["spec"]!;
        Assert.Equal("default", (string?)spec["serviceAccountName"]);
        Assert.Equal("default", (string?)spec["serviceAccount"]);
        var volumes = spec["volumes"]!.AsArray();
        Assert.Equal(2, volumes.Count);
        Assert.Equal("data", (string?)volumes[0]!["name"]);
        var name = (string?)volumes[1]!["name"];
        Assert.Matches(VolumeName(), name);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(UpstreamProjection), volumes[1]!["projected"]), volumes[1]!.ToJsonString());
        Assert.Equal(["name", "projected"], volumes[1]!.AsObject().Select(p => p.Key).Order());
        var tokenMount = JsonNode.Parse($$"""{"mountPath": "{{MountPath}}", "name": "{{name}}", "readOnly": true}""");
        Assert.True(JsonNode.DeepEquals(tokenMount, spec["initContainers"]![0]!["volumeMounts"]![0]), spec["initContainers"]!.ToJsonString());
        var app = spec["containers"]![0]!["volumeMounts"]!.AsArray();
        Assert.Equal(["/data", MountPath], app.Select(m => (string?)m!["mountPath"]));
        Assert.True(JsonNode.DeepEquals(tokenMount, app[1]), app.ToJsonString());
        Assert.True(JsonNode.DeepEquals(new JsonArray(tokenMount!.DeepClone()), spec["containers"]![1]!["volumeMounts"]), spec["containers"]![1]!.ToJsonString());
    }

    [Fact]
    public async Task PodNamingAMissingServiceAccount_IsForbidden_InUpstreamsWords()
    {
        await Namespace("saa-missing");

        var created = await Kubectl.RunWithInputAsync(Admin, "apiVersion: v1\nkind: Pod\nmetadata: {name: lost}\nspec: {serviceAccountName: ghost, containers: [{name: c, image: busybox}]}\n", "create", "-n", "saa-missing", "-f", "-");
        var raw = await Kubectl.RunWithInputAsync(Admin, """{"apiVersion":"v1","kind":"Pod","metadata":{"name":"lost"},"spec":{"serviceAccountName":"ghost","containers":[{"name":"c","image":"busybox"}]}}""", "create", "--raw", "/api/v1/namespaces/saa-missing/pods", "-f", "-", "-v=6");

        Assert.NotEqual(0, created.ExitCode);
        Assert.Contains("Error from server (Forbidden): error when creating \"STDIN\": pods \"lost\" is forbidden: error looking up service account saa-missing/ghost: serviceaccount \"ghost\" not found", created.Stderr, StringComparison.Ordinal);
        Assert.NotEqual(0, raw.ExitCode);
        Assert.Contains("/api/v1/namespaces/saa-missing/pods 403 Forbidden", raw.Stderr, StringComparison.Ordinal);
        Assert.Contains("Error from server (Forbidden): pods \"lost\" is forbidden: error looking up service account saa-missing/ghost", raw.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AutomountFalse_OnThePodOrOnTheServiceAccount_GivesNoVolume_ThePodsChoiceWins()
    {
        await Namespace("saa-off");
        await Apply("saa-off", "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: quiet}\nautomountServiceAccountToken: false\n");

        var podOff = await CreatePodAsync("saa-off", "apiVersion: v1\nkind: Pod\nmetadata: {name: pod-off}\nspec: {automountServiceAccountToken: false, containers: [{name: c, image: busybox}]}\n");
        var accountOff = await CreatePodAsync("saa-off", "apiVersion: v1\nkind: Pod\nmetadata: {name: sa-off}\nspec: {serviceAccountName: quiet, containers: [{name: c, image: busybox}]}\n");
        var podOn = await CreatePodAsync("saa-off", "apiVersion: v1\nkind: Pod\nmetadata: {name: pod-on}\nspec: {serviceAccountName: quiet, automountServiceAccountToken: true, containers: [{name: c, image: busybox}]}\n");

        Assert.Null(podOff["spec"]!["volumes"]);
        Assert.Null(podOff["spec"]!["containers"]![0]!["volumeMounts"]);
        Assert.Equal("default", (string?)podOff["spec"]!["serviceAccountName"]);
        Assert.Null(accountOff["spec"]!["volumes"]);
        Assert.Null(accountOff["spec"]!["containers"]![0]!["volumeMounts"]);
        Assert.Matches(VolumeName(), (string?)podOn["spec"]!["volumes"]![0]!["name"]);
        Assert.Equal(MountPath, (string?)podOn["spec"]!["containers"]![0]!["volumeMounts"]![0]!["mountPath"]);
    }

    [Fact]
    public async Task ExistingMountAtTheTokenPath_IsKept_AndAVolumeNamedKubeApiAccessIsReused()
    {
        await Namespace("saa-own");

        var mixed = await CreatePodAsync("saa-own", $$"""
            apiVersion: v1
            kind: Pod
            metadata: {name: mixed}
            spec:
              containers:
              - {name: own, image: busybox, volumeMounts: [{name: mine, mountPath: {{MountPath}} }]}
              - {name: plain, image: busybox}
              volumes: [{name: mine, emptyDir: {} }]
            """);
        var allOwn = await CreatePodAsync("saa-own", $$"""
            apiVersion: v1
            kind: Pod
            metadata: {name: all-own}
            spec:
              containers: [{name: own, image: busybox, volumeMounts: [{name: mine, mountPath: {{MountPath}} }]}]
              volumes: [{name: mine, emptyDir: {} }]
            """);
        var reused = await CreatePodAsync("saa-own", """
            apiVersion: v1
            kind: Pod
            metadata: {name: reused}
            spec:
              containers: [{name: c, image: busybox}]
              volumes: [{name: kube-api-access-mine, emptyDir: {}}]
            """);

        var own = mixed["spec"]!["containers"]![0]!["volumeMounts"]!.AsArray();
        Assert.Equal("mine", (string?)Assert.Single(own)!["name"]);
        Assert.Equal(2, mixed["spec"]!["volumes"]!.AsArray().Count);
        Assert.Equal((string?)mixed["spec"]!["volumes"]![1]!["name"], (string?)mixed["spec"]!["containers"]![1]!["volumeMounts"]![0]!["name"]);
        Assert.Equal("mine", (string?)Assert.Single(allOwn["spec"]!["volumes"]!.AsArray())!["name"]);
        Assert.Equal("kube-api-access-mine", (string?)Assert.Single(reused["spec"]!["volumes"]!.AsArray())!["name"]);
        Assert.Equal("kube-api-access-mine", (string?)reused["spec"]!["containers"]![0]!["volumeMounts"]![0]!["name"]);
    }

    [Fact]
    public async Task ImagePullSecrets_OfTheServiceAccount_AreCopied_WhenThePodHasNone()
    {
        await Namespace("saa-pull");
        await Apply("saa-pull", "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: puller}\nimagePullSecrets: [{name: registry}]\n");

        var inherits = await CreatePodAsync("saa-pull", "apiVersion: v1\nkind: Pod\nmetadata: {name: inherits}\nspec: {serviceAccountName: puller, containers: [{name: c, image: busybox}]}\n");
        var keeps = await CreatePodAsync("saa-pull", "apiVersion: v1\nkind: Pod\nmetadata: {name: keeps}\nspec: {serviceAccountName: puller, imagePullSecrets: [{name: own}], containers: [{name: c, image: busybox}]}\n");

        Assert.Equal("registry", (string?)Assert.Single(inherits["spec"]!["imagePullSecrets"]!.AsArray())!["name"]);
        Assert.Equal("own", (string?)Assert.Single(keeps["spec"]!["imagePullSecrets"]!.AsArray())!["name"]);
    }

    [Fact]
    public async Task ServiceAccountName_CannotChange_OnUpdate()
    {
        await Namespace("saa-update");
        await Apply("saa-update", "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: other}\n");
        await CreatePodAsync("saa-update", "apiVersion: v1\nkind: Pod\nmetadata: {name: fixed}\nspec: {containers: [{name: c, image: busybox}]}\n");

        var patched = await Kubectl.RunAsync(Admin, "patch", "pod", "fixed", "-n", "saa-update", "--type", "merge", "-p", """{"spec":{"serviceAccountName":"other"}}""");

        Assert.NotEqual(0, patched.ExitCode);
        Assert.Contains("The Pod \"fixed\" is invalid: spec: Forbidden: pod updates may not change fields other than", patched.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EveryNamespace_GetsKubeRootCaCrt_RecreatedWhenDeleted_RevertedWhenEdited()
    {
        await Namespace("saa-ca");
        var ca = await File.ReadAllTextAsync(Path.Combine(fixture.Server.DataDir, "tls", "ca.crt"));

        var first = await WaitForAsync(() => ConfigMapAsync("saa-ca"));
        await Run("delete", "configmap", "kube-root-ca.crt", "-n", "saa-ca");
        var recreated = await WaitForAsync(async () => await ConfigMapAsync("saa-ca") is { } cm && (string?)cm["metadata"]!["uid"] != (string?)first["metadata"]!["uid"] ? cm : null);
        await Run("patch", "configmap", "kube-root-ca.crt", "-n", "saa-ca", "--type", "merge", "-p", """{"data":{"ca.crt":"bogus","extra":"x"},"metadata":{"annotations":{"kubernetes.io/description":null}}}""");
        var reverted = await WaitForAsync(async () => await ConfigMapAsync("saa-ca") is { } cm && (string?)cm["data"]!["ca.crt"] == ca && cm["data"]!["extra"] is null ? cm : null);

        Assert.Equal(ca, (string?)first["data"]!["ca.crt"]);
        Assert.Equal(["ca.crt"], first["data"]!.AsObject().Select(p => p.Key));
        Assert.StartsWith("-----BEGIN CERTIFICATE-----", ca, StringComparison.Ordinal);
        Assert.Equal(
            "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.",
            (string?)first["metadata"]!["annotations"]!["kubernetes.io/description"]);
        Assert.Equal(ca, (string?)recreated["data"]!["ca.crt"]);
        Assert.NotNull(reverted["metadata"]!["annotations"]!["kubernetes.io/description"]);
        Assert.Equal(0, (await Kubectl.RunAsync(Admin, "get", "configmap", "kube-root-ca.crt", "-n", "kube-system")).ExitCode);
    }

    [Fact]
    public async Task Node_ReadsKubeRootCaCrt_OnlyWhereOneOfItsPodsMountsIt()
    {
        await Namespace("saa-node-on");
        await Namespace("saa-node-off");
        await Namespace("saa-node-none");
        await CreatePodAsync("saa-node-on", "apiVersion: v1\nkind: Pod\nmetadata: {name: mounted}\nspec: {nodeName: saa-node, containers: [{name: c, image: busybox}]}\n");
        await CreatePodAsync("saa-node-off", "apiVersion: v1\nkind: Pod\nmetadata: {name: unmounted}\nspec: {nodeName: saa-node, automountServiceAccountToken: false, containers: [{name: c, image: busybox}]}\n");
        foreach (var ns in new[] { "saa-node-on", "saa-node-off", "saa-node-none" })
        {
            await WaitForAsync(() => ConfigMapAsync(ns));
        }

        using var dir = new TempDirectory("saa-node");
        var pki = ClusterPki.LoadOrCreate(fixture.Server.DataDir, ["127.0.0.1"]);
        var certificate = pki.IssueClientCertificate("system:node:saa-node", ["system:nodes"], TimeSpan.FromHours(1));
        var node = dir.File("node.kubeconfig");
        Kubeconfig.Write(node, fixture.Server.Address, pki.CaCertificatePem, certificate.CertificatePem, certificate.KeyPem, user: "saa-node");

        var on = await Kubectl.RunAsync(node, "get", "configmap", "kube-root-ca.crt", "-n", "saa-node-on", "-o", "jsonpath={.data.ca\\.crt}");
        var off = await Kubectl.RunAsync(node, "get", "configmap", "kube-root-ca.crt", "-n", "saa-node-off");
        var none = await Kubectl.RunAsync(node, "get", "configmap", "kube-root-ca.crt", "-n", "saa-node-none");
        var token = await Kubectl.RunAsync(node, "create", "token", "default", "-n", "saa-node-on", "--bound-object-kind", "Pod", "--bound-object-name", "mounted");

        Assert.True(on.ExitCode == 0, on.ToString());
        Assert.StartsWith("-----BEGIN CERTIFICATE-----", on.Stdout, StringComparison.Ordinal);
        Assert.Contains("configmaps \"kube-root-ca.crt\" is forbidden: User \"system:node:saa-node\" cannot get resource \"configmaps\" in API group \"\" in the namespace \"saa-node-off\": no relationship found between node 'saa-node' and this object", off.Stderr, StringComparison.Ordinal);
        Assert.Contains("no relationship found between node 'saa-node' and this object", none.Stderr, StringComparison.Ordinal);
        Assert.True(token.ExitCode == 0, token.ToString());
    }

    [GeneratedRegex("^kube-api-access-[bcdfghjklmnpqrstvwxz2456789]{5}$")]
    private static partial Regex VolumeName();

    private async Task Namespace(string name) => await Run("create", "namespace", name);

    private async Task Apply(string ns, string manifest)
    {
        var applied = await Kubectl.RunWithInputAsync(Admin, manifest, "apply", "-n", ns, "-f", "-");
        Assert.True(applied.ExitCode == 0, applied.ToString());
    }

    // Created with kubectl, read back as stored.
    private async Task<JsonNode> CreatePodAsync(string ns, string manifest)
    {
        var created = await Kubectl.RunWithInputAsync(Admin, manifest, "create", "-n", ns, "-f", "-", "-o", "name");
        Assert.True(created.ExitCode == 0, created.ToString());
        var got = await Run("get", created.Stdout.Trim(), "-n", ns, "-o", "json");
        return JsonNode.Parse(got.Stdout)!;
    }

    private async Task<JsonNode?> ConfigMapAsync(string ns)
    {
        var got = await Kubectl.RunAsync(Admin, "get", "configmap", "kube-root-ca.crt", "-n", ns, "-o", "json");
        return got.ExitCode == 0 ? JsonNode.Parse(got.Stdout) : null;
    }

    private async Task<Kubectl.Result> Run(params string[] args)
    {
        var result = await Kubectl.RunAsync(Admin, args);
        Assert.True(result.ExitCode == 0, result.ToString());
        return result;
    }

    private static async Task<T> WaitForAsync<T>(Func<Task<T?>> probe)
        where T : class =>
        (await Wait.ForAsync(probe, value => value is not null, "the condition", TimeSpan.FromSeconds(20)))!;
}
