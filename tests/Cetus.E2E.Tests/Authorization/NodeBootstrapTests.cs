using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using Cetus.ApiServer.Security;
using Cetus.Kubelet.Bootstrap;
using Cetus.Testing;
using Xunit;

namespace Cetus.E2E.Tests.Authorization;

/// <summary>One server (with its controller manager: csrapproving and csrsigning) shared by the join-token tests.</summary>
public sealed class NodeBootstrapFixture : IAsyncLifetime
{
    private readonly TempDirectory _dir = new("node-bootstrap");

    public CetusServerProcess Server { get; private set; } = null!;

    public string CaPem => File.ReadAllText(Path.Combine(Server.DataDir, "tls", "ca.crt"));

    public string Directory(string name) => _dir.File(name);

    /// <summary>Runs <c>out/cetus ARGS</c>: exit code, output and errors.</summary>
    public static async Task<Kubectl.Result> CetusAsync(params string[] args)
    {
        var start = new ProcessStartInfo(Path.Combine(CetusServerProcess.RepositoryRoot(), "out", "cetus"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);
        return new Kubectl.Result(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>A new join token from <c>cetus token create</c>, and a kubeconfig that authenticates with it.</summary>
    public async Task<(string Token, string Kubeconfig)> CreateTokenAsync(params string[] extra)
    {
        var created = await CetusAsync(["token", "create", "--kubeconfig", Server.Kubeconfig, .. extra]);
        Assert.True(created.ExitCode == 0, created.ToString());
        var token = created.Stdout.Trim();
        Assert.Matches("^[a-z0-9]{6}\\.[a-z0-9]{16}$", token);
        var kubeconfig = _dir.File($"token-{token[..6]}.kubeconfig");
        Kubeconfig.WriteWithToken(kubeconfig, Server.Address, CaPem, token, user: "bootstrap");
        return (token, kubeconfig);
    }

    public async Task InitializeAsync() => Server = await CetusServerProcess.StartAsync(arguments: ["--disable-scheduler"]);

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        _dir.Dispose();
    }
}

/// <summary>
/// Joining nodes with bootstrap tokens against a real server, with the real kubectl: <c>cetus token create</c>, the
/// bootstrap user's identity and rights, <see cref="NodeBootstrap"/> ending with a node identity, the approver's
/// refusals, <c>kubectl certificate approve/deny</c>, and tokens that are deleted or expired.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class NodeBootstrapTests(NodeBootstrapFixture fixture) : IClassFixture<NodeBootstrapFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task CetusAgent_JoinsWithAToken_AndRunsAsItsOwnNode()
    {
        var (token, _) = await fixture.CreateTokenAsync();
        await using var cri = await FakeCriServer.StartAsync();
        var root = fixture.Directory("agent-root");
        var caFile = Path.Combine(fixture.Server.DataDir, "tls", "ca.crt");
        await using var agent = await CetusProcess.StartAsync(
            ["agent", "--server", fixture.Server.Address, "--token", token, "--certificate-authority", caFile, "--node-name", "joiner", "--node-ip", "127.0.0.1", "--kubelet-port", CetusServerProcess.FreePort().ToString(CultureInfo.InvariantCulture), "--root-dir", root, "--container-runtime-endpoint", cri.Endpoint],
            line => line.Contains("node joiner registered", StringComparison.Ordinal),
            TimeSpan.FromSeconds(90));

        // The agent acts with the certificate it was issued, not with the token.
        var nodeKubeconfig = Path.Combine(root, NodeBootstrap.KubeconfigFile);
        var whoami = await Kubectl.RunAsync(nodeKubeconfig, "auth", "whoami", "-o", "jsonpath={.status.userInfo.username} {.status.userInfo.groups}");
        Assert.True(whoami.ExitCode == 0, whoami.ToString());
        Assert.StartsWith("system:node:joiner ", whoami.Stdout, StringComparison.Ordinal);
        Assert.Contains("system:nodes", whoami.Stdout, StringComparison.Ordinal);
        var node = await Kubectl.RunAsync(fixture.Server.Kubeconfig, "get", "node", "joiner", "-o", "jsonpath={.metadata.name}");
        Assert.True(node.ExitCode == 0 && node.Stdout == "joiner", node.ToString());
        var csrs = await Kubectl.RunAsync(fixture.Server.Kubeconfig, "get", "csr");
        Assert.Matches(@"system:bootstrap:[a-z0-9]{6}\s+.*Approved,Issued", csrs.Stdout);
    }

    [Fact]
    public async Task Token_IsTheBootstrapUser_WhoMayAskForCertificates_AndNothingElse()
    {
        var (token, kubeconfig) = await fixture.CreateTokenAsync("--groups", "system:bootstrappers:workers", "--description", "e2e");

        var whoami = await Kubectl.RunAsync(kubeconfig, "auth", "whoami", "-o", "json");
        var pods = await Kubectl.RunAsync(kubeconfig, "get", "pods");
        var canCreate = await Kubectl.RunAsync(kubeconfig, "auth", "can-i", "create", "certificatesigningrequests");
        var canApprove = await Kubectl.RunAsync(kubeconfig, "auth", "can-i", "update", "certificatesigningrequests/approval");
        var list = await NodeBootstrapFixture.CetusAsync("token", "list", "--kubeconfig", fixture.Server.Kubeconfig);

        Assert.True(whoami.ExitCode == 0, whoami.ToString());
        var user = JsonNode.Parse(whoami.Stdout)!["status"]!["userInfo"]!;
        Assert.Equal("system:bootstrap:" + token[..6], (string?)user["username"]);
        Assert.Equal(["system:bootstrappers", "system:bootstrappers:workers", "system:authenticated"], user["groups"]!.AsArray().Select(g => (string?)g));
        Assert.Contains($"pods is forbidden: User \"system:bootstrap:{token[..6]}\" cannot list resource \"pods\"", pods.Stderr, StringComparison.Ordinal);
        Assert.Equal("yes", canCreate.Stdout.Trim());
        Assert.StartsWith("no", canApprove.Stdout.Trim(), StringComparison.Ordinal);
        Assert.Contains(token[..6] + ".****************", list.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(token[7..], list.Stdout, StringComparison.Ordinal);
        Assert.Contains("system:bootstrappers:workers", list.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NodeBootstrap_EndsWithTheNodesOwnIdentity_AndReusesIt()
    {
        var (token, _) = await fixture.CreateTokenAsync();
        var options = Options(token, "worker-1");

        var kubeconfig = await NodeBootstrap.EnsureKubeconfigAsync(options);
        var whoami = await Kubectl.RunAsync(kubeconfig, "auth", "whoami", "-o", "json");
        var csrs = await Kubectl.RunAsync(fixture.Server.Kubeconfig, "get", "csr");
        var first = await File.ReadAllTextAsync(kubeconfig);
        var again = await NodeBootstrap.EnsureKubeconfigAsync(options);

        Assert.True(whoami.ExitCode == 0, whoami.ToString());
        var user = JsonNode.Parse(whoami.Stdout)!["status"]!["userInfo"]!;
        Assert.Equal("system:node:worker-1", (string?)user["username"]);
        Assert.Contains("system:nodes", user["groups"]!.AsArray().Select(g => (string?)g));
        var row = csrs.Stdout.Split('\n').Single(l => l.Contains("system:bootstrap:" + token[..6], StringComparison.Ordinal));
        Assert.Contains("kubernetes.io/kube-apiserver-client-kubelet", row, StringComparison.Ordinal);
        Assert.EndsWith("Approved,Issued", row.TrimEnd(), StringComparison.Ordinal);
        Assert.StartsWith("NAME   ", csrs.Stdout, StringComparison.Ordinal);
        Assert.Contains("SIGNERNAME", csrs.Stdout, StringComparison.Ordinal);
        Assert.Equal(first, await File.ReadAllTextAsync(again));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(kubeconfig));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(options.Directory, NodeBootstrap.KeyFile)));
    }

    [Fact]
    public async Task Approver_LeavesPending_WhatIsNotAKubeletClientRequest_AndNodeRestrictionRefusesAnotherNodesRenewal()
    {
        var (token, bootstrap) = await fixture.CreateTokenAsync();
        var node = await NodeBootstrap.EnsureKubeconfigAsync(Options(token, "worker-2"));
        await CreateCsrAsync(bootstrap, "not-a-node", "alice", ["system:nodes"], ["digital signature", "client auth"]);
        await CreateCsrAsync(bootstrap, "server-usage", "system:node:worker-9", ["system:nodes"], ["digital signature", "server auth"]);
        // Another node's certificate: NodeRestriction refuses the request itself (the approver would leave it pending).
        var otherNode = await Kubectl.RunWithInputAsync(node, CsrManifest("other-node", "system:node:worker-3", ["system:nodes"], ["digital signature", "client auth"], "kubernetes.io/kube-apiserver-client-kubelet"), "create", "-f", "-");
        Assert.Contains("\"other-node\" is forbidden: can only create a node CSR with CN=system:node:worker-2", otherNode.Stderr, StringComparison.Ordinal);
        await CreateCsrAsync(node, "self-renewal", "system:node:worker-2", ["system:nodes"], ["digital signature", "client auth"]);

        // The renewal of the node's own certificate is approved and issued; the others stay pending meanwhile.
        await WaitForConditionAsync("self-renewal", "Approved,Issued");
        var csrs = await Kubectl.RunAsync(fixture.Server.Kubeconfig, "get", "csr", "not-a-node", "server-usage");

        Assert.True(csrs.ExitCode == 0, csrs.ToString());
        Assert.Equal(2, csrs.Stdout.Split('\n').Count(l => l.TrimEnd().EndsWith("Pending", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task KubectlCertificateApproveAndDeny_WorkOnPendingRequests()
    {
        var (token, bootstrap) = await fixture.CreateTokenAsync();
        await CreateCsrAsync(bootstrap, "to-approve", "bob", ["dev"], ["digital signature", "client auth"], "kubernetes.io/kube-apiserver-client");
        await CreateCsrAsync(bootstrap, "to-deny", "mallory", [], ["digital signature", "client auth"], "kubernetes.io/kube-apiserver-client");

        var byToken = await Kubectl.RunAsync(bootstrap, "certificate", "approve", "to-approve");
        var approve = await Kubectl.RunAsync(fixture.Server.Kubeconfig, "certificate", "approve", "to-approve");
        var deny = await Kubectl.RunAsync(fixture.Server.Kubeconfig, "certificate", "deny", "to-deny");

        Assert.True(approve.ExitCode == 0, approve.ToString());
        Assert.Contains("certificatesigningrequest.certificates.k8s.io/to-approve approved", approve.Stdout, StringComparison.Ordinal);
        Assert.True(deny.ExitCode == 0, deny.ToString());
        Assert.Contains($"certificatesigningrequests.certificates.k8s.io \"to-approve\" is forbidden: User \"system:bootstrap:{token[..6]}\" cannot update resource \"certificatesigningrequests/approval\"", byToken.Stderr, StringComparison.Ordinal);
        await WaitForConditionAsync("to-approve", "Approved,Issued");
        await WaitForConditionAsync("to-deny", "Denied");
        var json = await Kubectl.RunAsync(fixture.Server.Kubeconfig, "get", "csr", "to-approve", "-o", "json");
        var csr = JsonNode.Parse(json.Stdout)!;
        Assert.Equal("system:bootstrap:" + token[..6], (string?)csr["spec"]!["username"]);
        using var certificate = X509Certificate2.CreateFromPem(Encoding.ASCII.GetString(Convert.FromBase64String((string)csr["status"]!["certificate"]!)));
        Assert.Equal("bob", certificate.GetNameInfo(X509NameType.SimpleName, false));
    }

    [Fact]
    public async Task DeletedAndExpiredTokens_AreRefused()
    {
        var (deleted, deletedKubeconfig) = await fixture.CreateTokenAsync();
        var (expiring, expiringKubeconfig) = await fixture.CreateTokenAsync("--ttl", "1h");
        Assert.Equal(0, (await Kubectl.RunAsync(deletedKubeconfig, "auth", "whoami")).ExitCode);

        var delete = await NodeBootstrapFixture.CetusAsync("token", "delete", deleted[..6], "--kubeconfig", fixture.Server.Kubeconfig);
        var expire = await Kubectl.RunAsync(
            fixture.Server.Kubeconfig, "patch", "secret", "bootstrap-token-" + expiring[..6], "-n", "kube-system", "--type=merge",
            "-p", "{\"stringData\":{\"expiration\":\"2020-01-01T00:00:00Z\"}}");

        Assert.True(delete.ExitCode == 0, delete.ToString());
        Assert.True(expire.ExitCode == 0, expire.ToString());
        // The authenticator reads the watch cache, which sees the change a moment after the write.
        await WaitUntilAsync(async () => (await Kubectl.RunAsync(deletedKubeconfig, "auth", "whoami")).Stderr.Contains("Unauthorized", StringComparison.Ordinal));
        await WaitUntilAsync(async () => (await Kubectl.RunAsync(expiringKubeconfig, "auth", "whoami")).Stderr.Contains("Unauthorized", StringComparison.Ordinal));
        var join = await Assert.ThrowsAsync<NodeBootstrapException>(() => NodeBootstrap.EnsureKubeconfigAsync(Options(deleted, "worker-4")));
        Assert.Equal("the join token was refused (401): create one with `cetus token create` on the server", join.Message);
    }

    [Fact]
    public async Task WithoutTheNodeclientBinding_TheRequestStaysPending_AndItsDenialIsReported()
    {
        var (token, _) = await fixture.CreateTokenAsync();
        var admin = fixture.Server.Kubeconfig;
        var removed = await Kubectl.RunAsync(admin, "delete", "clusterrolebinding", "cetus:node-autoapprove-bootstrap");
        Assert.True(removed.ExitCode == 0, removed.ToString());
        try
        {
            await WaitUntilAsync(async () => (await Kubectl.RunAsync(
                admin, "auth", "can-i", "create", "certificatesigningrequests", "--subresource=nodeclient",
                "--as", "system:bootstrap:" + token[..6], "--as-group", "system:bootstrappers")).Stdout.Trim() == "no");
            var joining = NodeBootstrap.EnsureKubeconfigAsync(Options(token, "worker-5"));
            string? name = null;
            await WaitUntilAsync(async () =>
            {
                var names = await Kubectl.RunAsync(admin, "get", "csr", "-o", "jsonpath={range .items[*]}{.metadata.name} {.spec.username}{\"\\n\"}{end}");
                name = names.Stdout.Split('\n').FirstOrDefault(l => l.EndsWith(" system:bootstrap:" + token[..6], StringComparison.Ordinal))?.Split(' ')[0];
                return name is not null;
            });
            var pending = await Kubectl.RunAsync(admin, "get", "csr", name!, "--no-headers");
            var deny = await Kubectl.RunAsync(admin, "certificate", "deny", name!);
            var error = await Assert.ThrowsAsync<NodeBootstrapException>(() => joining);

            Assert.EndsWith("Pending", pending.Stdout.TrimEnd(), StringComparison.Ordinal);
            Assert.True(deny.ExitCode == 0, deny.ToString());
            Assert.StartsWith($"the certificate signing request {name} was denied: KubectlDeny", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            await Kubectl.RunAsync(admin, "create", "clusterrolebinding", "cetus:node-autoapprove-bootstrap",
                "--clusterrole=system:certificates.k8s.io:certificatesigningrequests:nodeclient", "--group=system:bootstrappers");
        }
    }

    private NodeBootstrapOptions Options(string token, string node) => new()
    {
        ServerUrl = fixture.Server.Address,
        Token = token,
        CaPem = fixture.CaPem,
        NodeName = node,
        Directory = fixture.Directory(node + "-" + token[..6]),
        Timeout = Patience,
    };

    private static async Task CreateCsrAsync(string kubeconfig, string name, string commonName, string[] organizations, string[] usages, string signer = "kubernetes.io/kube-apiserver-client-kubelet")
    {
        var created = await Kubectl.RunWithInputAsync(kubeconfig, CsrManifest(name, commonName, organizations, usages, signer), "create", "-f", "-");
        Assert.True(created.ExitCode == 0, created.ToString());
    }

    /// <summary>A CSR manifest with a new P-256 key for the subject, and the DNS names when given.</summary>
    internal static string CsrManifest(string name, string commonName, string[] organizations, string[] usages, string signer, params string[] dnsNames)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var subject = new X500DistinguishedNameBuilder();
        foreach (var organization in organizations)
        {
            subject.AddOrganizationName(organization);
        }

        subject.AddCommonName(commonName);
        var request = new CertificateRequest(subject.Build(), key, HashAlgorithmName.SHA256);
        if (dnsNames.Length > 0)
        {
            var names = new SubjectAlternativeNameBuilder();
            foreach (var dns in dnsNames)
            {
                names.AddDnsName(dns);
            }

            request.CertificateExtensions.Add(names.Build());
        }

        return $$"""
            apiVersion: certificates.k8s.io/v1
            kind: CertificateSigningRequest
            metadata: {name: {{name}}}
            spec:
              request: {{Convert.ToBase64String(Encoding.ASCII.GetBytes(request.CreateSigningRequestPem()))}}
              signerName: {{signer}}
              usages: [{{string.Join(", ", usages.Select(u => $"\"{u}\""))}}]
            """;
    }

    private async Task WaitForConditionAsync(string name, string condition) =>
        await WaitUntilAsync(async () =>
        {
            var row = await Kubectl.RunAsync(fixture.Server.Kubeconfig, "get", "csr", name, "--no-headers");
            return row.Stdout.TrimEnd().EndsWith(" " + condition, StringComparison.Ordinal);
        });

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met within " + Patience);
            await Task.Delay(200);
        }
    }
}
