using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using Cetus.Testing;
using Xunit;

namespace Cetus.E2E.Tests.Authorization;

/// <summary>
/// <c>cetus server --cluster-signing-cert-file/--cluster-signing-key-file --cluster-signing-duration</c>: what the
/// built-in signers issue chains to the given CA, lives at most the given duration, and less when the request's
/// <c>spec.expirationSeconds</c> asks; bad combinations of the flags are usage errors.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class SigningFlagsTests : IAsyncLifetime
{
    private const string ClientSigner = "kubernetes.io/kube-apiserver-client";

    private readonly TempDirectory _dir = new("signing-flags");
    private X509Certificate2 _ca = null!;
    private CetusServerProcess _server = null!;

    public async Task InitializeAsync()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=external-signing-ca", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(X509BasicConstraintsExtension.CreateForCertificateAuthority());
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        _ca = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        await File.WriteAllTextAsync(_dir.File("signing.crt"), _ca.ExportCertificatePem());
        await File.WriteAllTextAsync(_dir.File("signing.key"), key.ExportRSAPrivateKeyPem());
        _server = await CetusServerProcess.StartAsync(arguments:
        [
            "--disable-scheduler",
            "--cluster-signing-cert-file", _dir.File("signing.crt"),
            "--cluster-signing-key-file", _dir.File("signing.key"),
            "--cluster-signing-duration", "2h",
        ]);
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _ca.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public async Task IssuedCertificates_ChainToTheGivenCa_ForAtMostTheDuration()
    {
        var admin = _server.Kubeconfig;
        await CreateAsync("default-lifetime", null);
        await CreateAsync("too-long", 24 * 3600);
        await CreateAsync("fifteen-minutes", 900);
        foreach (var name in new[] { "default-lifetime", "too-long", "fifteen-minutes" })
        {
            var approved = await Kubectl.RunAsync(admin, "certificate", "approve", name);
            Assert.True(approved.ExitCode == 0, approved.ToString());
        }

        using var byDefault = await IssuedAsync("default-lifetime");
        using var capped = await IssuedAsync("too-long");
        using var shortened = await IssuedAsync("fifteen-minutes");

        using var clusterCa = X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(Path.Combine(_server.DataDir, "tls", "ca.crt")));
        Assert.True(Chains(byDefault, _ca));
        Assert.False(Chains(byDefault, clusterCa));
        Assert.Equal(_ca.SubjectName.RawData, byDefault.IssuerName.RawData);
        // Five minutes of backdating at the start; a lifetime under 8 hours ends that long after signing.
        Assert.Equal(TimeSpan.FromHours(2) + TimeSpan.FromMinutes(5), byDefault.NotAfter - byDefault.NotBefore);
        Assert.Equal(TimeSpan.FromHours(2) + TimeSpan.FromMinutes(5), capped.NotAfter - capped.NotBefore);
        Assert.Equal(TimeSpan.FromMinutes(20), shortened.NotAfter - shortened.NotBefore);
        // This server trusts client certificates of its own CA only, and says so at start.
        Assert.Contains("kubernetes.io/kube-apiserver-client certificates are signed by CN=external-signing-ca, not by the cluster CA", _server.Log, StringComparison.Ordinal);
    }

    private async Task CreateAsync(string name, int? expirationSeconds)
    {
        var manifest = NodeBootstrapTests.CsrManifest(name, "carol", ["dev"], ["digital signature", "client auth"], ClientSigner);
        if (expirationSeconds is { } seconds)
        {
            manifest += $"\n  expirationSeconds: {seconds.ToString(CultureInfo.InvariantCulture)}";
        }

        var created = await Kubectl.RunWithInputAsync(_server.Kubeconfig, manifest, "create", "-f", "-");
        Assert.True(created.ExitCode == 0, created.ToString());
    }

    private async Task<X509Certificate2> IssuedAsync(string name)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var json = await Kubectl.RunAsync(_server.Kubeconfig, "get", "csr", name, "-o", "json");
            if ((string?)JsonNode.Parse(json.Stdout)?["status"]?["certificate"] is { Length: > 0 } certificate)
            {
                return X509Certificate2.CreateFromPem(Encoding.ASCII.GetString(Convert.FromBase64String(certificate)));
            }

            Assert.True(DateTime.UtcNow < deadline, $"{name} was not issued within 30 s");
            await Task.Delay(200);
        }
    }

    private static bool Chains(X509Certificate2 leaf, X509Certificate2 ca)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(leaf);
    }
}

/// <summary>Bad combinations of the signing flags are usage errors (no server starts).</summary>
public sealed class SigningFlagUsageTests
{
    [Theory]
    [InlineData("server", "--cluster-signing-cert-file", "a.crt")]
    [InlineData("controller-manager", "--kubeconfig", "k", "--cluster-signing-cert-file", "a.crt", "--cluster-signing-key-file", "a.key", "--cluster-signing-kubelet-serving-cert-file", "b.crt", "--cluster-signing-kubelet-serving-key-file", "b.key")]
    [InlineData("server", "--cluster-signing-duration", "forever")]
    [InlineData("server", "--cluster-signing-duration", "0")]
    public async Task BadFlagCombinations_AreUsageErrors(params string[] args)
    {
        var run = await NodeBootstrapFixture.CetusAsync(args);

        Assert.NotEqual(0, run.ExitCode);
        var expected = args switch
        {
            [_, "--cluster-signing-cert-file", ..] => "--cluster-signing-cert-file and --cluster-signing-key-file must be given together",
            [_, "--cluster-signing-duration", "0"] => "--cluster-signing-duration must be positive",
            [_, "--cluster-signing-duration", ..] => "--cluster-signing-duration: \"forever\" is not a duration",
            _ => "cannot specify --cluster-signing-{cert,key}-file and other --cluster-signing-*-file flags at the same time",
        };
        Assert.Contains(expected, run.Stderr + run.Stdout, StringComparison.Ordinal);
    }
}
