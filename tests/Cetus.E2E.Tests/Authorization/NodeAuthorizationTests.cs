using Cetus.ApiServer.Security;
using Cetus.Testing;
using k8s;
using Xunit;

namespace Cetus.E2E.Tests.Authorization;

/// <summary>One server, two node identities (client certificates CN system:node:NAME, O system:nodes) and the objects their pods use.</summary>
public sealed class NodeAuthorizationFixture : IAsyncLifetime
{
    public const string Objects = """
        apiVersion: v1
        kind: Namespace
        metadata: {name: nodes-ns}
        ---
        apiVersion: v1
        kind: Secret
        metadata: {name: sec-a, namespace: nodes-ns}
        stringData: {k: a}
        ---
        apiVersion: v1
        kind: Secret
        metadata: {name: sec-b, namespace: nodes-ns}
        stringData: {k: b}
        ---
        apiVersion: v1
        kind: Secret
        metadata: {name: sec-unused, namespace: nodes-ns}
        stringData: {k: c}
        ---
        apiVersion: v1
        kind: Secret
        metadata: {name: sec-pull, namespace: nodes-ns}
        type: kubernetes.io/dockerconfigjson
        stringData: {.dockerconfigjson: '{"auths":{"registry.example":{"username":"u","password":"p"}}}'}
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: cm-a, namespace: nodes-ns}
        data: {k: a}
        ---
        apiVersion: v1
        kind: Node
        metadata: {name: node-b}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: pod-a, namespace: nodes-ns}
        spec:
          nodeName: node-a
          imagePullSecrets: [{name: sec-pull}]
          containers:
          - name: c
            image: busybox
            env: [{name: K, valueFrom: {secretKeyRef: {name: sec-a, key: k}}}]
          volumes: [{name: v, configMap: {name: cm-a}}]
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: pod-b, namespace: nodes-ns}
        spec:
          nodeName: node-b
          containers: [{name: c, image: busybox, envFrom: [{secretRef: {name: sec-b}}]}]
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: evict-a, namespace: nodes-ns}
        spec:
          nodeName: node-a
          containers: [{name: c, image: busybox}]
        """;

    private readonly TempDirectory _dir = new("node-authz");

    public CetusServerProcess Server { get; private set; } = null!;

    public string NodeA => _dir.File("node-a.kubeconfig");

    private IssuedCertificate? _certificate;

    /// <summary>An HTTP client presenting node-a's certificate.</summary>
    public HttpClient NodeAClient()
    {
        var handler = new SocketsHttpHandler { SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true } };
        handler.SslOptions.ClientCertificates = [System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(_certificate!.CertificatePem, _certificate.KeyPem)];
        return new HttpClient(handler) { BaseAddress = new Uri(Server.Address), Timeout = TimeSpan.FromSeconds(30) };
    }

    public async Task InitializeAsync()
    {
        Server = await CetusServerProcess.StartAsync(arguments: ["--disable-scheduler"]);
        var applied = await Kubectl.RunWithInputAsync(Server.Kubeconfig, Objects, "apply", "-f", "-");
        Assert.True(applied.ExitCode == 0, applied.ToString());
        var pki = ClusterPki.LoadOrCreate(Server.DataDir, ["127.0.0.1"]);
        var certificate = _certificate = pki.IssueClientCertificate("system:node:node-a", ["system:nodes"], TimeSpan.FromDays(1));
        Kubeconfig.Write(NodeA, Server.Address, pki.CaCertificatePem, certificate.CertificatePem, certificate.KeyPem, user: "node-a");
    }

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        _dir.Dispose();
    }
}

/// <summary>
/// The Node authorizer and NodeRestriction against a real server with the real kubectl: node-a reads only what its
/// pods use, changes only its own Node and Lease, and cannot label itself into another role.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class NodeAuthorizationTests(NodeAuthorizationFixture fixture) : IClassFixture<NodeAuthorizationFixture>
{
    [Theory]
    [InlineData("get secret sec-a", true)]
    [InlineData("get secret sec-b", false)]
    [InlineData("get secret sec-unused", false)]
    [InlineData("get secret sec-pull", true)]
    [InlineData("get secrets --field-selector metadata.name=sec-pull", true)]
    [InlineData("get configmap cm-a", true)]
    [InlineData("get configmaps --field-selector metadata.name=cm-a", true)]
    [InlineData("get secrets --field-selector metadata.name=sec-a", true)]
    [InlineData("get secrets --field-selector metadata.name=sec-b", false)]
    [InlineData("get secrets --field-selector metadata.name!=sec-b", false)]
    [InlineData("get pod pod-a", true)]
    [InlineData("get pod pod-b", false)]
    [InlineData("get pods --field-selector spec.nodeName=node-a", true)]
    [InlineData("get pods --field-selector spec.nodeName=node-b", false)]
    [InlineData("get pods", false)]
    [InlineData("get secrets", false)]
    [InlineData("get nodes", true)]
    public async Task NodeA_ReadsOnlyWhatItsPodsUse(string command, bool allowed)
    {
        var result = await Kubectl.RunAsync(fixture.NodeA, [.. command.Split(' '), "-n", "nodes-ns"]);

        Assert.True((result.ExitCode == 0) == allowed, result.ToString());
        if (!allowed)
        {
            Assert.Contains("is forbidden: User \"system:node:node-a\" cannot", result.Stderr, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Denials_SayWhy_AndCanIAgrees()
    {
        var denied = await Kubectl.RunAsync(fixture.NodeA, "get", "secret", "sec-b", "-n", "nodes-ns");
        var yes = await Kubectl.RunAsync(fixture.NodeA, "auth", "can-i", "get", "secret/sec-a", "-n", "nodes-ns");
        var no = await Kubectl.RunAsync(fixture.NodeA, "auth", "can-i", "get", "secret/sec-b", "-n", "nodes-ns");

        Assert.Contains("secrets \"sec-b\" is forbidden: User \"system:node:node-a\" cannot get resource \"secrets\" in API group \"\" in the namespace \"nodes-ns\": no relationship found between node 'node-a' and this object", denied.Stderr, StringComparison.Ordinal);
        Assert.Equal("yes", yes.Stdout.Trim());
        Assert.StartsWith("no", no.Stdout.Trim(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task NodeA_ManagesItsOwnNodeAndLease_OnlyThose()
    {
        var own = await Kubectl.RunWithInputAsync(fixture.NodeA, "apiVersion: v1\nkind: Node\nmetadata: {name: node-a, labels: {kubernetes.io/hostname: node-a}}\n", "create", "-f", "-");
        var other = await Kubectl.RunWithInputAsync(fixture.NodeA, "apiVersion: v1\nkind: Node\nmetadata: {name: node-c}\n", "create", "-f", "-");
        var customLabel = await Kubectl.RunAsync(fixture.NodeA, "label", "node", "node-a", "example.com/rack=r1");
        var roleLabel = await Kubectl.RunAsync(fixture.NodeA, "label", "node", "node-a", "node-role.kubernetes.io/control-plane=");
        var labelOther = await Kubectl.RunAsync(fixture.NodeA, "label", "node", "node-b", "example.com/rack=r1");
        var taint = await Kubectl.RunAsync(fixture.NodeA, "taint", "node", "node-a", "dedicated=x:NoSchedule");
        var lease = await Kubectl.RunWithInputAsync(fixture.NodeA, "apiVersion: coordination.k8s.io/v1\nkind: Lease\nmetadata: {name: node-a, namespace: kube-node-lease}\nspec: {holderIdentity: node-a}\n", "create", "-f", "-");
        var otherLease = await Kubectl.RunWithInputAsync(fixture.NodeA, "apiVersion: coordination.k8s.io/v1\nkind: Lease\nmetadata: {name: node-b, namespace: kube-node-lease}\n", "create", "-f", "-");
        var pod = await Kubectl.RunWithInputAsync(fixture.NodeA, "apiVersion: v1\nkind: Pod\nmetadata: {name: sneaky, namespace: nodes-ns}\nspec: {nodeName: node-a, containers: [{name: c, image: busybox}]}\n", "create", "-f", "-");

        Assert.True(own.ExitCode == 0, own.ToString());
        Assert.Contains("node \"node-a\" is not allowed to modify node \"node-c\"", other.Stderr, StringComparison.Ordinal);
        Assert.True(customLabel.ExitCode == 0, customLabel.ToString());
        Assert.Contains("is not allowed to modify the following labels: node-role.kubernetes.io/control-plane", roleLabel.Stderr, StringComparison.Ordinal);
        Assert.Contains("node 'node-a' cannot modify node 'node-b'", labelOther.Stderr, StringComparison.Ordinal);
        Assert.Contains("is not allowed to modify taints", taint.Stderr, StringComparison.Ordinal);
        Assert.True(lease.ExitCode == 0, lease.ToString());
        Assert.Contains("can only access node lease with the same name as the requesting node", otherLease.Stderr, StringComparison.Ordinal);
        Assert.Contains("node \"node-a\" can only create mirror pods", pod.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NodeA_RecordsKubeletEvents_AggregatedByTheRecorder_AndKubectlShowsThem()
    {
        // The kubelet's recorder, with node-a's credentials: a container event twice (one Event, count 2) and a node event.
        using var node = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(fixture.NodeA));
        var pod = await node.CoreV1.ReadNamespacedPodAsync("pod-a", "nodes-ns");
        await using (var recorder = new Cetus.Client.Events.EventRecorder(node, Cetus.Kubelet.Events.KubeletEvents.Component, host: "node-a"))
        {
            recorder.Event(Cetus.Kubelet.Events.KubeletEvents.ContainerRef(pod, "c"), "Warning", "BackOff", "Back-off restarting failed container c in pod pod-a_nodes-ns(" + pod.Metadata.Uid + ")");
            recorder.Event(Cetus.Kubelet.Events.KubeletEvents.ContainerRef(pod, "c"), "Warning", "BackOff", "Back-off restarting failed container c in pod pod-a_nodes-ns(" + pod.Metadata.Uid + ")");
            recorder.Event(Cetus.Kubelet.Events.KubeletEvents.NodeRef("node-a"), "Normal", "Starting", "Starting kubelet.");
        }

        var listed = await Kubectl.RunAsync(fixture.Server.Kubeconfig, "get", "events", "-n", "nodes-ns", "--field-selector", "involvedObject.name=pod-a", "-o", "json");
        Assert.True(listed.ExitCode == 0, listed.ToString());
        var backOff = Assert.Single(System.Text.Json.Nodes.JsonNode.Parse(listed.Stdout)!["items"]!.AsArray());
        Assert.Equal(("BackOff", 2, "kubelet", "node-a", "spec.containers{c}"), ((string?)backOff!["reason"], (int?)backOff["count"], (string?)backOff["source"]!["component"], (string?)backOff["source"]!["host"], (string?)backOff["involvedObject"]!["fieldPath"]));
        var described = await Kubectl.RunAsync(fixture.Server.Kubeconfig, "describe", "pod", "pod-a", "-n", "nodes-ns");
        Assert.Matches(@"Warning\s+BackOff\s+.*\(x2 over .*\)\s+kubelet\s+Back-off restarting failed container c in pod pod-a_nodes-ns", described.Stdout);
        var nodeEvents = await Kubectl.RunAsync(fixture.Server.Kubeconfig, "get", "events", "-n", "default", "--field-selector", "involvedObject.kind=Node,involvedObject.name=node-a", "-o", "jsonpath={.items[*].reason}");
        Assert.Equal("Starting", nodeEvents.Stdout.Trim());
    }

    [Fact]
    public async Task NodeA_EvictsOnlyItsOwnPods()
    {
        using var client = fixture.NodeAClient();
        static StringContent Eviction(string name) => new(
            $$$"""{"apiVersion":"policy/v1","kind":"Eviction","metadata":{"name":"{{{name}}}","namespace":"nodes-ns"}}""", System.Text.Encoding.UTF8, "application/json");

        using var other = await client.PostAsync("/api/v1/namespaces/nodes-ns/pods/pod-b/eviction", Eviction("pod-b"));
        using var smuggled = await client.PostAsync("/api/v1/namespaces/nodes-ns/pods/evict-a/eviction", Eviction("pod-b"));
        using var own = await client.PostAsync("/api/v1/namespaces/nodes-ns/pods/evict-a/eviction", Eviction("evict-a"));

        Assert.Equal(System.Net.HttpStatusCode.Forbidden, other.StatusCode);
        var status = System.Text.Json.Nodes.JsonNode.Parse(await other.Content.ReadAsStringAsync())!;
        Assert.Equal(("Forbidden", "pods \"pod-b\" is forbidden: node node-a can only evict pods with spec.nodeName set to itself"), ((string?)status["reason"], (string?)status["message"]));
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, smuggled.StatusCode);
        Assert.Equal("name in URL does not match name in Eviction object", (string?)System.Text.Json.Nodes.JsonNode.Parse(await smuggled.Content.ReadAsStringAsync())!["message"]);
        Assert.True(own.IsSuccessStatusCode, await own.Content.ReadAsStringAsync());

        // Evicted: being deleted (no kubelet confirms it here, so it stays terminating) or gone; pod-b untouched.
        var evicted = await Kubectl.RunAsync(fixture.Server.Kubeconfig, ["get", "pod", "evict-a", "-n", "nodes-ns", "--ignore-not-found", "-o", "jsonpath={.metadata.name} {.metadata.deletionTimestamp}"]);
        Assert.True(evicted.ExitCode == 0 && (evicted.Stdout.Trim().Length == 0 || evicted.Stdout.Trim().Split(' ').Length == 2), evicted.ToString());
        var untouched = await Kubectl.RunAsync(fixture.Server.Kubeconfig, ["get", "pod", "pod-b", "-n", "nodes-ns", "-o", "jsonpath={.metadata.deletionTimestamp}"]);
        Assert.True(untouched.ExitCode == 0 && untouched.Stdout.Trim().Length == 0, untouched.ToString());
    }

    [Fact]
    public async Task NodeA_UpdatesOnlyItsOwnPodsStatus()
    {
        using var client = fixture.NodeAClient();
        var patch = """{"status":{"conditions":[{"type":"Ready","status":"False"}]}}""";

        using var own = await client.PatchAsync("/api/v1/namespaces/nodes-ns/pods/pod-a/status", new StringContent(patch, System.Text.Encoding.UTF8, "application/merge-patch+json"));
        using var other = await client.PatchAsync("/api/v1/namespaces/nodes-ns/pods/pod-b/status", new StringContent(patch, System.Text.Encoding.UTF8, "application/merge-patch+json"));
        using var delete = await client.DeleteAsync("/api/v1/namespaces/nodes-ns/pods/pod-b");

        Assert.Equal(System.Net.HttpStatusCode.OK, own.StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.Forbidden, other.StatusCode);
        var message = (string?)System.Text.Json.Nodes.JsonNode.Parse(await other.Content.ReadAsStringAsync())!["message"];
        Assert.Equal("pods \"pod-b\" is forbidden: node \"node-a\" can only update pod status for pods with spec.nodeName set to itself", message);
        Assert.Equal(System.Net.HttpStatusCode.Forbidden, delete.StatusCode);
    }

    [Fact]
    public async Task NodeA_RequestsAndWatchesOnlyItsOwnKubeletCertificates()
    {
        string[] serving = ["digital signature", "server auth"];
        var own = await Kubectl.RunWithInputAsync(fixture.NodeA, NodeBootstrapTests.CsrManifest("node-a-serving", "system:node:node-a", ["system:nodes"], serving, "kubernetes.io/kubelet-serving", "node-a"), "create", "-f", "-");
        var other = await Kubectl.RunWithInputAsync(fixture.NodeA, NodeBootstrapTests.CsrManifest("node-b-serving", "system:node:node-b", ["system:nodes"], serving, "kubernetes.io/kubelet-serving", "node-b"), "create", "-f", "-");
        var otherClient = await Kubectl.RunWithInputAsync(fixture.NodeA, NodeBootstrapTests.CsrManifest("node-b-client", "system:node:node-b", ["system:nodes"], ["digital signature", "client auth"], "kubernetes.io/kube-apiserver-client-kubelet"), "create", "-f", "-");
        var read = await Kubectl.RunAsync(fixture.NodeA, "get", "csr", "node-a-serving", "-o", "jsonpath={.spec.username}");
        var watch = await Kubectl.RunAsync(fixture.NodeA, "get", "csr", "--watch-only", "--request-timeout=1s");

        Assert.True(own.ExitCode == 0, own.ToString());
        Assert.Contains("certificatesigningrequests.certificates.k8s.io \"node-b-serving\" is forbidden: can only create a node CSR with CN=system:node:node-a", other.Stderr, StringComparison.Ordinal);
        Assert.Contains("can only create a node CSR with CN=system:node:node-a", otherClient.Stderr, StringComparison.Ordinal);
        Assert.Equal("system:node:node-a", read.Stdout);
        Assert.DoesNotContain("forbidden", watch.Stderr, StringComparison.OrdinalIgnoreCase);
    }
}
