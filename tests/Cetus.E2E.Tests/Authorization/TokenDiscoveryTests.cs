using System.Globalization;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using Cetus.Api.Bootstrap;
using Cetus.Kubelet.Bootstrap;
using Cetus.Testing;
using Xunit;

namespace Cetus.E2E.Tests.Authorization;

/// <summary>
/// Joining with <c>--ca-cert-hash</c> instead of the CA file (kubeadm's token discovery): <c>cetus token create</c>
/// prints the join command with the pin, anyone may read kube-public/cluster-info (and nothing else), the server signs
/// it for each token, and the agent joins with the right pin and refuses a wrong pin or a signature its token did not make.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class TokenDiscoveryTests(NodeBootstrapFixture fixture) : IClassFixture<NodeBootstrapFixture>
{
    private string CaHash
    {
        get
        {
            using var ca = X509Certificate2.CreateFromPem(fixture.CaPem);
            return ClusterInfo.CaCertHash(ca);
        }
    }

    [Fact]
    public async Task TokenCreate_PrintsTheJoinCommand_WithTheCaPin()
    {
        var created = await NodeBootstrapFixture.CetusAsync("token", "create", "--kubeconfig", fixture.Server.Kubeconfig);
        var printed = await NodeBootstrapFixture.CetusAsync("token", "create", "--kubeconfig", fixture.Server.Kubeconfig, "--print-join-command");

        Assert.True(created.ExitCode == 0, created.ToString());
        var token = created.Stdout.Trim();
        Assert.Matches("^[a-z0-9]{6}\\.[a-z0-9]{16}$", token);
        Assert.Contains($"cetus: join a node with: cetus agent --server {fixture.Server.Address} --token {token} --ca-cert-hash {CaHash}", created.Stderr, StringComparison.Ordinal);
        Assert.Matches($"^cetus agent --server {fixture.Server.Address} --token [a-z0-9]{{6}}\\.[a-z0-9]{{16}} --ca-cert-hash {CaHash}$", printed.Stdout.Trim());
        Assert.Matches("^sha256:[0-9a-f]{64}$", CaHash);
    }

    [Fact]
    public async Task ClusterInfo_IsReadableAnonymously_AndSignedForEachToken()
    {
        var (token, _) = await fixture.CreateTokenAsync();
        using var anonymous = new HttpClient(new SocketsHttpHandler { SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true } }) { BaseAddress = new Uri(fixture.Server.Address) };

        var other = await anonymous.GetAsync(new Uri("/api/v1/namespaces/kube-public/configmaps/other", UriKind.Relative));
        var list = await anonymous.GetAsync(new Uri("/api/v1/namespaces/kube-public/configmaps", UriKind.Relative));
        string? signature = null;
        await WaitUntilAsync(async () =>
        {
            // The server publishes cluster-info just after it starts serving: 404 until then.
            using var response = await anonymous.GetAsync(new Uri("/api/v1/namespaces/kube-public/configmaps/cluster-info", UriKind.Relative));
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                return false;
            }

            var info = System.Text.Json.Nodes.JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
            signature = (string?)info["data"]![ClusterInfo.SignaturePrefix + token[..6]];
            var kubeconfig = (string)info["data"]![ClusterInfo.KubeconfigKey]!;
            return signature is not null && ClusterInfo.Verify(kubeconfig, signature, token[..6], token[7..]);
        });

        Assert.Equal(HttpStatusCode.Unauthorized, other.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, list.StatusCode);
        Assert.Matches("^[A-Za-z0-9_-]+\\.\\.[A-Za-z0-9_-]+$", signature);

        // A deleted token's signature goes away.
        var deleted = await NodeBootstrapFixture.CetusAsync("token", "delete", token[..6], "--kubeconfig", fixture.Server.Kubeconfig);
        Assert.True(deleted.ExitCode == 0, deleted.ToString());
        await WaitUntilAsync(async () =>
        {
            var keys = await Kubectl.RunAsync(fixture.Server.Kubeconfig, "get", "configmap", "cluster-info", "-n", "kube-public", "-o", "jsonpath={.data}");
            return keys.ExitCode == 0 && !keys.Stdout.Contains(ClusterInfo.SignaturePrefix + token[..6], StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task TheAgent_JoinsWithTheRightPin_WithoutTheCaFile()
    {
        var (token, _) = await fixture.CreateTokenAsync();
        await using var cri = await FakeCriServer.StartAsync();
        var root = fixture.Directory("discovered-root");

        await using var agent = await CetusProcess.StartAsync(
            ["agent", "--server", fixture.Server.Address, "--token", token, "--ca-cert-hash", CaHash, "--node-name", "discovered", "--node-ip", "127.0.0.1", "--kubelet-port", CetusServerProcess.FreePort().ToString(CultureInfo.InvariantCulture), "--root-dir", root, "--container-runtime-endpoint", cri.Endpoint],
            line => line.Contains("node discovered registered", StringComparison.Ordinal),
            TimeSpan.FromSeconds(90));

        Assert.Contains($"cluster CA discovered from {fixture.Server.Address}", agent.Log, StringComparison.Ordinal);
        var whoami = await Kubectl.RunAsync(Path.Combine(root, NodeBootstrap.KubeconfigFile), "auth", "whoami", "-o", "jsonpath={.status.userInfo.username}");
        Assert.True(whoami.ExitCode == 0 && whoami.Stdout == "system:node:discovered", whoami.ToString());
    }

    [Fact]
    public async Task AWrongPin_IsRefused_AndNothingIsWritten()
    {
        var (token, _) = await fixture.CreateTokenAsync();
        var root = fixture.Directory("wrong-pin-root");
        var wrong = "sha256:" + new string('0', 64);

        var run = await NodeBootstrapFixture.CetusAsync("agent", "--server", fixture.Server.Address, "--token", token, "--ca-cert-hash", wrong, "--node-name", "wrong-pin", "--root-dir", root, "--container-runtime-endpoint", "unix:///nonexistent.sock");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains($"cetus agent: the cluster CA of {fixture.Server.Address} has public key hash {CaHash}, not {wrong}: refusing to join", run.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(root, NodeBootstrap.KubeconfigFile)));
        Assert.False(File.Exists(Path.Combine(root, NodeBootstrap.KeyFile)));
    }

    [Fact]
    public async Task ASignatureTheTokenDidNotMake_IsRefused()
    {
        var (token, _) = await fixture.CreateTokenAsync();
        // The right token id with another secret: the published signature (made with the real secret) does not verify.
        var forged = token[..7] + new string('x', 16);
        await WaitUntilAsync(async () => (await Kubectl.RunAsync(fixture.Server.Kubeconfig, "get", "configmap", "cluster-info", "-n", "kube-public", "-o", "jsonpath={.data}")).Stdout.Contains(ClusterInfo.SignaturePrefix + token[..6], StringComparison.Ordinal));

        var error = await Assert.ThrowsAsync<NodeBootstrapException>(() => TokenDiscovery.DiscoverCaAsync(fixture.Server.Address, forged, CaHash, TimeSpan.FromSeconds(5)));
        var unknown = await Assert.ThrowsAsync<NodeBootstrapException>(() => TokenDiscovery.DiscoverCaAsync(fixture.Server.Address, "zzzzzz." + new string('x', 16), CaHash, TimeSpan.FromSeconds(2)));
        var ca = await TokenDiscovery.DiscoverCaAsync(fixture.Server.Address, token, CaHash, TimeSpan.FromSeconds(5));

        Assert.Equal($"the signature of kube-public/cluster-info for token id {token[..6]} does not match: the token is wrong or the answer was tampered with; refusing to join", error.Message);
        Assert.Equal($"kube-public/cluster-info on {fixture.Server.Address} has no signature for token id zzzzzz: the token is unknown there, expired, or not for signing", unknown.Message);
        Assert.Equal(fixture.CaPem.Trim(), ca.Trim());
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met within 30 s");
            await Task.Delay(200);
        }
    }
}
