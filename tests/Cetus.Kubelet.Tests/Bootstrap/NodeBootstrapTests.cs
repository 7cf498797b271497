using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Cetus.Kubelet.Bootstrap;
using Xunit;

namespace Cetus.Kubelet.Tests.Bootstrap;

/// <summary>When a node reuses the kubeconfig it has instead of asking for a new certificate.</summary>
public sealed class NodeBootstrapTests : IDisposable
{
    private static readonly DateTimeOffset Issued = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly string _directory = Directory.CreateTempSubdirectory("cetus-bootstrap-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [InlineData(1, "w1", "https://10.0.0.1:6443", true)]
    [InlineData(7.9, "w1", "https://10.0.0.1:6443", true)]
    [InlineData(8.1, "w1", "https://10.0.0.1:6443", false)]
    [InlineData(11, "w1", "https://10.0.0.1:6443", false)]
    [InlineData(-1, "w1", "https://10.0.0.1:6443", false)]
    [InlineData(1, "w2", "https://10.0.0.1:6443", false)]
    [InlineData(1, "w1", "https://10.0.0.2:6443", false)]
    public void ExistingKubeconfig_IsReused_WhileMoreThanAFifthOfItsLifetimeIsLeft(double daysLater, string node, string server, bool reused)
    {
        // A ten-day certificate for system:node:w1 against 10.0.0.1: renewed in its last two days.
        var kubeconfig = Path.Combine(_directory, NodeBootstrap.KubeconfigFile);
        File.WriteAllText(kubeconfig, Kubeconfig("https://10.0.0.1:6443", "system:node:w1", TimeSpan.FromDays(10)));
        var options = new NodeBootstrapOptions
        {
            ServerUrl = server,
            Token = "abcdef.0123456789abcdef",
            CaPem = string.Empty,
            NodeName = node,
            Directory = _directory,
            Time = new FixedTime(Issued.AddDays(daysLater)),
        };

        Assert.Equal(reused, NodeBootstrap.IsCurrent(kubeconfig, options, "system:node:" + node));
    }

    [Fact]
    public void MissingOrBrokenKubeconfig_IsNotReused()
    {
        var kubeconfig = Path.Combine(_directory, NodeBootstrap.KubeconfigFile);
        var options = new NodeBootstrapOptions { ServerUrl = "https://10.0.0.1:6443", Token = "t", CaPem = string.Empty, NodeName = "w1", Directory = _directory };

        Assert.False(NodeBootstrap.IsCurrent(kubeconfig, options, "system:node:w1"));
        File.WriteAllText(kubeconfig, "not: [a kubeconfig");
        Assert.False(NodeBootstrap.IsCurrent(kubeconfig, options, "system:node:w1"));
    }

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    private static string Kubeconfig(string server, string user, TimeSpan lifetime)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var certificate = new CertificateRequest($"O=system:nodes, CN={user}", key, HashAlgorithmName.SHA256).CreateSelfSigned(Issued, Issued + lifetime);
        static string B64(string text) => Convert.ToBase64String(Encoding.ASCII.GetBytes(text));
        return $"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: c
              cluster:
                server: "{server}"
                certificate-authority-data: {B64(certificate.ExportCertificatePem())}
            users:
            - name: u
              user:
                client-certificate-data: {B64(certificate.ExportCertificatePem())}
                client-key-data: {B64(key.ExportPkcs8PrivateKeyPem())}
            contexts:
            - name: x
              context:
                cluster: c
                user: u
            current-context: x
            """;
    }
}
