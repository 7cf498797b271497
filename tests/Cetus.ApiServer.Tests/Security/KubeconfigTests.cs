using System.Runtime.Versioning;
using System.Text;
using System.Text.Json.Nodes;
using Cetus.ApiServer.Security;
using Cetus.Testing;
using Xunit;

namespace Cetus.ApiServer.Tests.Security;

[UnsupportedOSPlatform("windows")]
public sealed class KubeconfigTests : IDisposable
{
    private readonly TempDirectory _dir = new("kubeconfig");
    private readonly ClusterPki _pki;

    public KubeconfigTests()
    {
        _pki = ClusterPki.LoadOrCreate(_dir.File("data"), []);
    }

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task ClientCertificateKubeconfig_IsReadByKubectl_WithEmbeddedCredentials()
    {
        var path = _dir.File("admin.kubeconfig");

        Kubeconfig.Write(path, "https://127.0.0.1:6443", _pki.CaCertificatePem, _pki.Admin.CertificatePem, _pki.Admin.KeyPem);

        var view = await ViewAsync(path);
        Assert.Equal("v1", (string?)view["apiVersion"]);
        Assert.Equal("Config", (string?)view["kind"]);
        Assert.Equal("cetus", (string?)view["current-context"]);
        var cluster = view["clusters"]![0]!;
        Assert.Equal("cetus", (string?)cluster["name"]);
        Assert.Equal("https://127.0.0.1:6443", (string?)cluster["cluster"]!["server"]);
        Assert.Equal(_pki.CaCertificatePem, Decode(cluster["cluster"]!["certificate-authority-data"]));
        var user = view["users"]![0]!;
        Assert.Equal("system:admin", (string?)user["name"]);
        Assert.Equal(_pki.Admin.CertificatePem, Decode(user["user"]!["client-certificate-data"]));
        Assert.Equal(_pki.Admin.KeyPem, Decode(user["user"]!["client-key-data"]));
        var context = view["contexts"]![0]!;
        Assert.Equal("cetus", (string?)context["context"]!["cluster"]);
        Assert.Equal("system:admin", (string?)context["context"]!["user"]);
    }

    [Fact]
    public async Task TokenKubeconfig_IsReadByKubectl_WithTheTokenAndNamesGiven()
    {
        var path = _dir.File("token.kubeconfig");

        Kubeconfig.WriteWithToken(path, "https://10.0.0.1:6443", _pki.CaCertificatePem, "s3cret-token", user: "ci", cluster: "lab", context: "lab-ci");

        var view = await ViewAsync(path);
        Assert.Equal("lab-ci", (string?)view["current-context"]);
        Assert.Equal("lab", (string?)view["clusters"]![0]!["name"]);
        Assert.Equal("s3cret-token", (string?)view["users"]![0]!["user"]!["token"]);
        Assert.Null(view["users"]![0]!["user"]!["client-certificate-data"]);
        Assert.Equal("lab", (string?)view["contexts"]![0]!["context"]!["cluster"]);
        Assert.Equal("ci", (string?)view["contexts"]![0]!["context"]!["user"]);
    }

    [Fact]
    public void KubeconfigFile_IsReadableByItsOwnerOnly_AndOverwritten()
    {
        var path = _dir.File("nested/dir/admin.kubeconfig");
        Kubeconfig.WriteWithToken(path, "https://127.0.0.1:6443", _pki.CaCertificatePem, "one");

        Kubeconfig.WriteWithToken(path, "https://127.0.0.1:6443", _pki.CaCertificatePem, "two");

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Contains("token: two", File.ReadAllText(path), StringComparison.Ordinal);
        Assert.Single(Directory.GetFiles(Path.GetDirectoryName(path)!));
    }

    private async Task<JsonNode> ViewAsync(string path)
    {
        var (exit, output, error) = await Cetus.Testing.Kubectl.RunBareAsync("--kubeconfig", path, "config", "view", "--raw", "-o", "json");
        Assert.True(exit == 0, error);
        return JsonNode.Parse(output)!;
    }

    private static string Decode(JsonNode? base64) => Encoding.UTF8.GetString(Convert.FromBase64String((string)base64!));
}
