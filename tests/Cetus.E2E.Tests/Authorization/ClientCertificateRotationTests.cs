using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Cetus.ApiServer.Security;
using Cetus.Kubelet.Bootstrap;
using Cetus.Testing;
using k8s;
using Xunit;

namespace Cetus.E2E.Tests.Authorization;

/// <summary>
/// A running agent renews its client certificate and goes on as <c>system:node:NAME</c> past the old certificate's
/// expiry, without a restart. The agent starts from a certificate (issued here with the cluster CA) four minutes
/// long and three minutes old: reused at start (a fifth of its life is left), due for renewal at once (past 70 %).
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class ClientCertificateRotationTests(NodeBootstrapFixture fixture) : IClassFixture<NodeBootstrapFixture>
{
    [Fact]
    public async Task TheAgent_RenewsItsCertificate_AndKeepsWorkingPastTheOldOnesExpiry()
    {
        var (token, _) = await fixture.CreateTokenAsync();
        const string Node = "rotating";
        var root = fixture.Directory("rotating-root");
        Directory.CreateDirectory(root);
        var now = DateTimeOffset.UtcNow;
        using var oldCertificate = SeedCertificate(root, "system:node:" + Node, now.AddMinutes(-3), now.AddMinutes(1));
        await using var cri = await FakeCriServer.StartAsync();
        var caFile = Path.Combine(fixture.Server.DataDir, "tls", "ca.crt");

        await using var agent = await CetusProcess.StartAsync(
            ["agent", "--server", fixture.Server.Address, "--token", token, "--certificate-authority", caFile, "--node-name", Node, "--node-ip", "127.0.0.1", "--kubelet-port", CetusServerProcess.FreePort().ToString(CultureInfo.InvariantCulture), "--root-dir", root, "--container-runtime-endpoint", cri.Endpoint],
            line => line.Contains($"node {Node} registered", StringComparison.Ordinal),
            TimeSpan.FromSeconds(90));
        Assert.Contains($"using the node certificate in {Path.Combine(root, NodeBootstrap.KubeconfigFile)}", agent.Log, StringComparison.Ordinal);

        // Renewed in the background (no new join: the token's request is not made again).
        await WaitUntilAsync(() => Task.FromResult(agent.Log.Contains("node client certificate renewed: serial ", StringComparison.Ordinal)), TimeSpan.FromSeconds(60));
        var kubeconfig = Path.Combine(root, NodeBootstrap.KubeconfigFile);
        using var renewed = KubeconfigCertificate(kubeconfig);
        Assert.NotEqual(oldCertificate.SerialNumber, renewed.SerialNumber);
        Assert.Contains($"serial {renewed.SerialNumber}", agent.Log, StringComparison.Ordinal);
        Assert.True(renewed.NotAfter > oldCertificate.NotAfter.AddHours(1));
        var whoami = await Kubectl.RunAsync(kubeconfig, "auth", "whoami", "-o", "jsonpath={.status.userInfo.username}");
        Assert.True(whoami.ExitCode == 0 && whoami.Stdout == "system:node:" + Node, whoami.ToString());

        // Past the old certificate's end, the node still renews its Lease: its client uses the new certificate.
        var expired = oldCertificate.NotAfter.ToUniversalTime();
        await WaitUntilAsync(
            async () =>
            {
                var renewTime = await Kubectl.RunAsync(fixture.Server.Kubeconfig, "get", "lease", Node, "-n", "kube-node-lease", "-o", "jsonpath={.spec.renewTime}");
                return renewTime.ExitCode == 0 && DateTime.Parse(renewTime.Stdout, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal) > expired.AddSeconds(2);
            },
            expired - DateTime.UtcNow + TimeSpan.FromSeconds(45));
        Assert.True(agent.IsRunning);
        Assert.DoesNotContain("Unauthorized", agent.Log, StringComparison.Ordinal);
    }

    // A node certificate for USER from the cluster CA, written as the agent's kubeconfig and key.
    private X509Certificate2 SeedCertificate(string root, string user, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        var pki = ClusterPki.LoadOrCreate(fixture.Server.DataDir, ["127.0.0.1"]);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(new X500DistinguishedName($"O=system:nodes, CN={user}"), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], false));
        using var caKey = pki.SigningCertificate.GetECDsaPrivateKey()!;
        var certificate = request.Create(pki.SigningCertificate.SubjectName, X509SignatureGenerator.CreateForECDsa(caKey), notBefore, notAfter, RandomNumberGenerator.GetBytes(12));
        ApiServer.Security.Kubeconfig.Write(Path.Combine(root, NodeBootstrap.KubeconfigFile), fixture.Server.Address, pki.CaCertificatePem, certificate.ExportCertificatePem(), key.ExportPkcs8PrivateKeyPem(), user: user);
        File.WriteAllText(Path.Combine(root, NodeBootstrap.KeyFile), key.ExportPkcs8PrivateKeyPem());
        return certificate;
    }

    private static X509Certificate2 KubeconfigCertificate(string path)
    {
        var config = KubernetesClientConfiguration.BuildConfigFromConfigFile(path);
        return X509Certificate2.CreateFromPem(Encoding.ASCII.GetString(Convert.FromBase64String(config.ClientCertificateData!)));
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan patience)
    {
        var deadline = DateTime.UtcNow + patience;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met within " + patience);
            await Task.Delay(500);
        }
    }
}
