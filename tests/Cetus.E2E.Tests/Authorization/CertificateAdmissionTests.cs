using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Cetus.ApiServer.Security;
using Cetus.Testing;
using Xunit;

namespace Cetus.E2E.Tests.Authorization;

/// <summary>
/// The certificates.k8s.io admission plugins on a real server, with the real kubectl: <c>kubectl certificate
/// approve</c> needs <c>approve</c> on the request's signer besides <c>update</c> on the approval subresource, and a
/// kube-apiserver-client request for system:masters is refused.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class CertificateAdmissionTests(NodeBootstrapFixture fixture) : IClassFixture<NodeBootstrapFixture>
{
    private const string ClientSigner = "kubernetes.io/kube-apiserver-client";

    private const string UpdaterRole = """
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRole
        metadata: {name: csr-updater}
        rules:
        - {apiGroups: [certificates.k8s.io], resources: [certificatesigningrequests], verbs: [get, list, watch]}
        - {apiGroups: [certificates.k8s.io], resources: [certificatesigningrequests/approval], verbs: [update]}
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRoleBinding
        metadata: {name: csr-updater}
        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: csr-updater}
        subjects:
        - {apiGroup: rbac.authorization.k8s.io, kind: User, name: approver}
        """;

    private const string ApproveClientSigner = """
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRoleBinding
        metadata: {name: approver-approves-clients}
        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: "system:certificates.k8s.io:kube-apiserver-client-approver"}
        subjects:
        - {apiGroup: rbac.authorization.k8s.io, kind: User, name: approver}
        """;

    [Fact]
    public async Task KubectlCertificateApprove_NeedsApproveOnTheSigner()
    {
        var admin = fixture.Server.Kubeconfig;
        var approver = ApproverKubeconfig();
        Assert.True((await Kubectl.RunWithInputAsync(admin, UpdaterRole, "apply", "-f", "-")).ExitCode == 0);
        await CreateAsync(admin, NodeBootstrapTests.CsrManifest("needs-approve", "carol", ["dev"], ["digital signature", "client auth"], ClientSigner));
        await WaitUntilAsync(async () => (await Kubectl.RunAsync(approver, "auth", "can-i", "update", "certificatesigningrequests", "--subresource=approval")).Stdout.Trim() == "yes");

        var refused = await Kubectl.RunAsync(approver, "certificate", "approve", "needs-approve");

        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains(
            "certificatesigningrequests.certificates.k8s.io \"needs-approve\" is forbidden: user not permitted to approve requests with signerName \"kubernetes.io/kube-apiserver-client\"",
            refused.Stderr,
            StringComparison.Ordinal);
        var pending = await Kubectl.RunAsync(admin, "get", "csr", "needs-approve", "--no-headers");
        Assert.EndsWith("Pending", pending.Stdout.TrimEnd(), StringComparison.Ordinal);

        // With approve on the signer (upstream's kube-apiserver-client-approver role) the same command works.
        Assert.True((await Kubectl.RunWithInputAsync(admin, ApproveClientSigner, "apply", "-f", "-")).ExitCode == 0);
        Kubectl.Result approved = default!;
        await WaitUntilAsync(async () => (approved = await Kubectl.RunAsync(approver, "certificate", "approve", "needs-approve")).ExitCode == 0);

        Assert.Contains("certificatesigningrequest.certificates.k8s.io/needs-approve approved", approved.Stdout, StringComparison.Ordinal);
        await WaitUntilAsync(async () => (await Kubectl.RunAsync(admin, "get", "csr", "needs-approve", "--no-headers")).Stdout.TrimEnd().EndsWith("Approved,Issued", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ASystemMastersRequest_ForTheClientSigner_IsRefused_EvenForTheAdmin()
    {
        var admin = fixture.Server.Kubeconfig;

        var masters = await Kubectl.RunWithInputAsync(admin, NodeBootstrapTests.CsrManifest("be-root", "mallory", ["system:masters"], ["digital signature", "client auth"], ClientSigner), "create", "-f", "-");
        var otherSigner = await Kubectl.RunWithInputAsync(admin, NodeBootstrapTests.CsrManifest("custom-root", "mallory", ["system:masters"], ["digital signature", "client auth"], "example.com/custom"), "create", "-f", "-");

        Assert.NotEqual(0, masters.ExitCode);
        Assert.Contains(
            "certificatesigningrequests.certificates.k8s.io \"be-root\" is forbidden: use of kubernetes.io/kube-apiserver-client signer with system:masters group is not allowed",
            masters.Stderr,
            StringComparison.Ordinal);
        Assert.Contains("NotFound", (await Kubectl.RunAsync(admin, "get", "csr", "be-root")).Stderr, StringComparison.Ordinal);
        // Only that signer is restricted: another signer's request is stored (and no built-in signer issues it).
        Assert.True(otherSigner.ExitCode == 0, otherSigner.ToString());
    }

    [Fact]
    public async Task SettingTheCertificate_NeedsSignOnTheSigner()
    {
        var admin = fixture.Server.Kubeconfig;
        var signer = ApproverKubeconfig("signer-user");
        const string Role = """
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRole
            metadata: {name: csr-status-writer}
            rules:
            - {apiGroups: [certificates.k8s.io], resources: [certificatesigningrequests, certificatesigningrequests/status], verbs: [get, update, patch]}
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRoleBinding
            metadata: {name: csr-status-writer}
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: csr-status-writer}
            subjects:
            - {apiGroup: rbac.authorization.k8s.io, kind: User, name: signer-user}
            """;
        Assert.True((await Kubectl.RunWithInputAsync(admin, Role, "apply", "-f", "-")).ExitCode == 0);
        await CreateAsync(admin, NodeBootstrapTests.CsrManifest("custom-signed", "someone", [], ["digital signature", "client auth"], "example.com/custom"));
        var approve = await Kubectl.RunAsync(admin, "certificate", "approve", "custom-signed");
        Assert.True(approve.ExitCode == 0, approve.ToString());
        await WaitUntilAsync(async () => (await Kubectl.RunAsync(signer, "auth", "can-i", "patch", "certificatesigningrequests", "--subresource=status")).Stdout.Trim() == "yes");
        // A well-formed certificate (validation comes first), self-signed: what matters is who writes it.
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var certificate = new CertificateRequest("CN=someone", key, HashAlgorithmName.SHA256).CreateSelfSigned(DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddDays(1));
        var patch = $"{{\"status\":{{\"certificate\":\"{Convert.ToBase64String(Encoding.ASCII.GetBytes(certificate.ExportCertificatePem()))}\"}}}}";

        var refused = await Kubectl.RunAsync(signer, "patch", "csr", "custom-signed", "--subresource=status", "--type=merge", "-p", patch);

        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains(
            "certificatesigningrequests.certificates.k8s.io \"custom-signed\" is forbidden: user not permitted to sign requests with signerName \"example.com/custom\"",
            refused.Stderr,
            StringComparison.Ordinal);

        // sign on the domain's wildcard is enough.
        const string Wildcard = """
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRole
            metadata: {name: example-signer}
            rules:
            - {apiGroups: [certificates.k8s.io], resources: [signers], resourceNames: ["example.com/*"], verbs: [sign]}
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRoleBinding
            metadata: {name: example-signer}
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: example-signer}
            subjects:
            - {apiGroup: rbac.authorization.k8s.io, kind: User, name: signer-user}
            """;
        Assert.True((await Kubectl.RunWithInputAsync(admin, Wildcard, "apply", "-f", "-")).ExitCode == 0);
        await WaitUntilAsync(async () => (await Kubectl.RunAsync(signer, "patch", "csr", "custom-signed", "--subresource=status", "--type=merge", "-p", patch)).ExitCode == 0);
        var issued = await Kubectl.RunAsync(admin, "get", "csr", "custom-signed", "--no-headers");
        Assert.EndsWith("Approved,Issued", issued.Stdout.TrimEnd(), StringComparison.Ordinal);
    }

    private string ApproverKubeconfig(string user = "approver")
    {
        var path = fixture.Directory(user + ".kubeconfig");
        if (!File.Exists(path))
        {
            var pki = ClusterPki.LoadOrCreate(fixture.Server.DataDir, ["127.0.0.1"]);
            var issued = pki.IssueClientCertificate(user, [], TimeSpan.FromDays(1));
            Kubeconfig.Write(path, fixture.Server.Address, pki.CaCertificatePem, issued.CertificatePem, issued.KeyPem, user: user);
        }

        return path;
    }

    private static async Task CreateAsync(string kubeconfig, string manifest)
    {
        var created = await Kubectl.RunWithInputAsync(kubeconfig, manifest, "create", "-f", "-");
        Assert.True(created.ExitCode == 0, created.ToString());
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
