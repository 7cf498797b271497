using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Cetus.Client.Security;
using k8s;
using k8s.Exceptions;
using Xunit;

namespace Cetus.Controllers.Tests.Client;

public sealed class KubeconfigFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("cetus-kubeconfig-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Load_ReadsWhatThePackagesOwnReaderReads()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var ca = new CertificateRequest("CN=test-ca", key, HashAlgorithmName.SHA256).CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        Directory.CreateDirectory(Path.Combine(_dir, "tls"));
        File.WriteAllText(Path.Combine(_dir, "tls", "ca.crt"), ca.ExportCertificatePem());
        var path = Path.Combine(_dir, "admin.kubeconfig");
        File.WriteAllText(path, """
            apiVersion: v1
            kind: Config
            preferences: {}
            clusters:
            - name: other
              cluster:
                server: https://10.0.0.1:6443
            - name: cetus
              cluster:
                server: https://127.0.0.1:6443
                certificate-authority: tls/ca.crt
            users:
            - name: admin
              user:
                token: abc.def
            contexts:
            - name: cetus
              context:
                cluster: cetus
                user: admin
                namespace: team-a
            current-context: cetus
            """);

        var ours = KubeconfigFile.Load(path);
        var package = KubernetesClientConfiguration.BuildConfigFromConfigFile(path);

        Assert.Equal(package.Host, ours.Host);
        Assert.Equal("https://127.0.0.1:6443", ours.Host);
        Assert.Equal(package.AccessToken, ours.AccessToken);
        Assert.Equal("abc.def", ours.AccessToken);
        Assert.Equal("team-a", ours.Namespace);
        Assert.Equal(package.CurrentContext, ours.CurrentContext);
        Assert.Equal(ca.Thumbprint, Assert.Single(ours.SslCaCerts!).Thumbprint);
        Assert.Equal(Assert.Single(package.SslCaCerts!).Thumbprint, Assert.Single(ours.SslCaCerts!).Thumbprint);
    }

    [Fact]
    public void Load_OfAMissingFile_NamesIt()
    {
        var path = Path.Combine(_dir, "none.kubeconfig");

        var e = Assert.Throws<KubeConfigException>(() => KubeconfigFile.Load(path));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_OfBrokenYaml_SaysWhatIsWrong()
    {
        var e = Assert.Throws<KubeConfigException>(() => KubeconfigFile.Parse("clusters: [\n  - name: a\n", "the test kubeconfig"));
        Assert.StartsWith("the test kubeconfig is not a valid kubeconfig: ", e.Message, StringComparison.Ordinal);
        Assert.Throws<KubeConfigException>(() => KubeconfigFile.Parse("", "the test kubeconfig"));
    }
}
