using System.Globalization;
using System.Text.Json.Nodes;
using Cetus.Testing;
using Xunit;

namespace Cetus.E2E.Tests.Authorization;

/// <summary>
/// A <c>cetus agent</c> joined with a token gets its kubelet serving certificate through a kubelet-serving CSR that
/// the controller manager approves and signs, and the API server then reaches that kubelet over TLS both ways
/// (<c>kubectl logs</c>, metrics.k8s.io), with the real kubectl against a real server and the fake CRI runtime.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class AgentServingTests(NodeBootstrapFixture fixture) : IClassFixture<NodeBootstrapFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task CetusAgent_GetsItsServingCertificateThroughACsr_AndTheApiServerReachesItsKubelet()
    {
        var (token, _) = await fixture.CreateTokenAsync();
        await using var cri = await FakeCriServer.StartAsync();
        var root = fixture.Directory("serving-root");
        var caFile = Path.Combine(fixture.Server.DataDir, "tls", "ca.crt");
        var port = CetusServerProcess.FreePort();
        string[] arguments = ["agent", "--server", fixture.Server.Address, "--token", token, "--certificate-authority", caFile, "--node-name", "servee", "--node-ip", "127.0.0.1", "--kubelet-port", port.ToString(CultureInfo.InvariantCulture), "--root-dir", root, "--container-runtime-endpoint", cri.Endpoint];
        var admin = fixture.Server.Kubeconfig;
        string issuedCsr;
        await using (var agent = await CetusProcess.StartAsync(arguments, line => line.Contains("node servee registered", StringComparison.Ordinal), TimeSpan.FromSeconds(90)))
        {
            // The node's kubelet-serving CSR, made by the node itself, approved and issued.
            var csrs = JsonNode.Parse((await Kubectl.RunAsync(admin, "get", "csr", "-o", "json")).Stdout)!["items"]!.AsArray();
            var serving = Assert.Single(csrs, c => (string?)c!["spec"]!["signerName"] == "kubernetes.io/kubelet-serving" && (string?)c!["spec"]!["username"] == "system:node:servee")!;
            issuedCsr = (string)serving["metadata"]!["name"]!;
            Assert.Contains(serving["status"]!["conditions"]!.AsArray(), c => (string?)c!["type"] == "Approved" && (string?)c!["reason"] == "AutoApproved");
            Assert.False(string.IsNullOrEmpty((string?)serving["status"]!["certificate"]));
            Assert.True(File.Exists(Path.Combine(root, "kubelet-server.crt")));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(root, "kubelet-server.key")));

            var endpoint = await Kubectl.RunAsync(admin, "get", "node", "servee", "-o", "jsonpath={.status.daemonEndpoints.kubeletEndpoint.Port}");
            Assert.Equal(port.ToString(CultureInfo.InvariantCulture), endpoint.Stdout);

            // kubectl logs goes API server → kubelet over TLS: the answer is the kubelet's own (the fake runtime writes no log file).
            var pod = """
                apiVersion: v1
                kind: Pod
                metadata: {name: served, namespace: default}
                spec:
                  nodeName: servee
                  containers: [{name: main, image: busybox}]
                """;
            var created = await Kubectl.RunWithInputAsync(admin, pod, "create", "-f", "-");
            Assert.True(created.ExitCode == 0, created.ToString());
            Kubectl.Result logs = default!;
            await WaitUntilAsync(async () =>
            {
                logs = await Kubectl.RunAsync(admin, "logs", "served", "-c", "main");
                return logs.Stderr.Contains("the log of container", StringComparison.Ordinal) || logs.Stderr.Contains("has no log", StringComparison.Ordinal);
            }, () => logs + "\nagent:\n" + agent.Log);
            Assert.NotEqual(0, logs.ExitCode);
            Assert.DoesNotContain("not reachable", logs.Stderr, StringComparison.Ordinal);

            // metrics.k8s.io reads the kubelet's /stats/summary over the same connection.
            JsonArray items = [];
            await WaitUntilAsync(async () =>
            {
                var raw = await Kubectl.RunAsync(admin, "get", "--raw", "/apis/metrics.k8s.io/v1beta1/nodes");
                items = raw.ExitCode == 0 ? JsonNode.Parse(raw.Stdout)!["items"]!.AsArray() : [];
                return items.Any(n => (string?)n!["metadata"]!["name"] == "servee");
            }, () => items.ToJsonString());
        }

        // A restart finds its certificate still current: no new request.
        await using (var again = await CetusProcess.StartAsync(arguments, line => line.Contains("using the kubelet serving certificate", StringComparison.Ordinal), TimeSpan.FromSeconds(90)))
        {
            var names = await Kubectl.RunAsync(admin, "get", "csr", "-o", "jsonpath={range .items[?(@.spec.signerName==\"kubernetes.io/kubelet-serving\")]}{.metadata.name} {end}");
            Assert.Equal(issuedCsr, names.Stdout.Trim());
        }

        var deleted = await Kubectl.RunAsync(admin, "delete", "pod", "served", "--grace-period=0", "--force");
        Assert.True(deleted.ExitCode == 0, deleted.ToString());
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, Func<string> last)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met within " + Patience + ": " + last());
            await Task.Delay(200);
        }
    }
}
