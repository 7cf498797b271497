using System.Net;
using System.Runtime.Versioning;
using System.Security.Cryptography.X509Certificates;
using Cetus.ApiServer.Security;
using Cetus.Testing;
using Xunit;

namespace Cetus.ApiServer.Tests.Security;

[UnsupportedOSPlatform("windows")]
public sealed class ClusterPkiTests
{
    private static readonly string[] Files = ["ca.crt", "ca.key", "serving.crt", "serving.key", "admin.crt", "admin.key"];

    [Fact]
    public void FirstStart_WritesPemFiles_KeysOwnerOnly_DirectoryOwnerOnly()
    {
        using var dir = new TempDirectory("pki");

        var pki = ClusterPki.LoadOrCreate(dir.Path, []);

        var tls = Path.Combine(dir.Path, "tls");
        Assert.Equal(tls, pki.Directory);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(tls));
        foreach (var name in Files)
        {
            var text = File.ReadAllText(Path.Combine(tls, name));
            Assert.StartsWith(name.EndsWith(".key", StringComparison.Ordinal) ? "-----BEGIN PRIVATE KEY-----" : "-----BEGIN CERTIFICATE-----", text, StringComparison.Ordinal);
            if (name.EndsWith(".key", StringComparison.Ordinal))
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(tls, name)));
            }
        }

        Assert.Equal(Files.Order(), Directory.GetFiles(tls).Select(Path.GetFileName).Order());
    }

    [Fact]
    public void SecondStart_ReusesTheSameCaAndCertificates_WithoutRewritingFiles()
    {
        using var dir = new TempDirectory("pki");
        var first = ClusterPki.LoadOrCreate(dir.Path, ["10.43.0.1"]);
        var before = Files.ToDictionary(f => f, f => File.ReadAllText(Path.Combine(first.Directory, f)));

        var second = ClusterPki.LoadOrCreate(dir.Path, ["10.43.0.1"]);

        Assert.Equal(first.CaCertificate.Thumbprint, second.CaCertificate.Thumbprint);
        Assert.Equal(first.ServingCertificate.Thumbprint, second.ServingCertificate.Thumbprint);
        Assert.Equal(first.Admin, second.Admin);
        Assert.Equal(first.CaCertificatePem, second.CaCertificatePem);
        Assert.All(Files, f => Assert.Equal(before[f], File.ReadAllText(Path.Combine(second.Directory, f))));
    }

    [Fact]
    public void Ca_IsSelfSignedCertificateAuthority_ValidForTenYears_WithoutPrivateKeyExposed()
    {
        using var dir = new TempDirectory("pki");
        var time = new ManualTime(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero));

        var ca = ClusterPki.LoadOrCreate(dir.Path, [], time).CaCertificate;

        Assert.Equal(ca.Subject, ca.Issuer);
        Assert.False(ca.HasPrivateKey);
        Assert.True(ca.Extensions.OfType<X509BasicConstraintsExtension>().Single().CertificateAuthority);
        Assert.True(ca.Extensions.OfType<X509KeyUsageExtension>().Single().KeyUsages.HasFlag(X509KeyUsageFlags.KeyCertSign));
        Assert.Equal(new DateTime(2039, 12, 30), ca.NotAfter.ToUniversalTime().Date);
    }

    [Fact]
    public void ServingCertificate_CoversLocalNamesHostAndExtras_ForServerAuth()
    {
        using var dir = new TempDirectory("pki");

        var pki = ClusterPki.LoadOrCreate(dir.Path, ["10.43.0.1", "api.cetus.test", "[fd00::1]"]);

        var serving = pki.ServingCertificate;
        var san = serving.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single();
        var dns = san.EnumerateDnsNames().ToList();
        var ips = san.EnumerateIPAddresses().ToList();
        Assert.Contains("localhost", dns);
        Assert.Contains(Dns.GetHostName().ToLowerInvariant(), dns);
        Assert.Contains("api.cetus.test", dns);
        Assert.Contains("kubernetes.default.svc", dns);
        Assert.Contains(IPAddress.Loopback, ips);
        Assert.Contains(IPAddress.IPv6Loopback, ips);
        Assert.Contains(IPAddress.Parse("10.43.0.1"), ips);
        Assert.Contains(IPAddress.Parse("fd00::1"), ips);
        Assert.DoesNotContain("10.43.0.1", dns);
        Assert.True(serving.HasPrivateKey);
        Assert.Equal(["1.3.6.1.5.5.7.3.1"], serving.Extensions.OfType<X509EnhancedKeyUsageExtension>().Single().EnhancedKeyUsages.Cast<System.Security.Cryptography.Oid>().Select(o => o.Value));
        Assert.Equal(pki.CaCertificate.Subject, serving.Issuer);
        Assert.InRange((serving.NotAfter - serving.NotBefore).TotalDays, 364, 366);
    }

    [Fact]
    public void NewExtraName_ReissuesServingCertificate_KeepsCaAndAdmin()
    {
        using var dir = new TempDirectory("pki");
        var first = ClusterPki.LoadOrCreate(dir.Path, ["10.0.0.5"]);

        var second = ClusterPki.LoadOrCreate(dir.Path, ["10.0.0.5", "192.168.7.7"]);

        Assert.NotEqual(first.ServingCertificate.Thumbprint, second.ServingCertificate.Thumbprint);
        Assert.Contains(IPAddress.Parse("192.168.7.7"), second.ServingCertificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single().EnumerateIPAddresses());
        Assert.Equal(first.CaCertificate.Thumbprint, second.CaCertificate.Thumbprint);
        Assert.Equal(first.Admin, second.Admin);
    }

    [Fact]
    public void FewerExtraNames_KeepServingCertificate()
    {
        using var dir = new TempDirectory("pki");
        var first = ClusterPki.LoadOrCreate(dir.Path, ["10.0.0.5", "node.cetus.test"]);

        var second = ClusterPki.LoadOrCreate(dir.Path, ["10.0.0.5"]);

        Assert.Equal(first.ServingCertificate.Thumbprint, second.ServingCertificate.Thumbprint);
    }

    [Fact]
    public void CertificatesExpiringWithinThirtyDays_AreRenewed_CaIsKept()
    {
        using var dir = new TempDirectory("pki");
        var time = new ManualTime(DateTimeOffset.UtcNow);
        var first = ClusterPki.LoadOrCreate(dir.Path, [], time);

        time.Now += TimeSpan.FromDays(300);
        var stillValid = ClusterPki.LoadOrCreate(dir.Path, [], time);
        time.Now += TimeSpan.FromDays(40);
        var renewed = ClusterPki.LoadOrCreate(dir.Path, [], time);

        Assert.Equal(first.ServingCertificate.Thumbprint, stillValid.ServingCertificate.Thumbprint);
        Assert.NotEqual(first.ServingCertificate.Thumbprint, renewed.ServingCertificate.Thumbprint);
        Assert.NotEqual(first.Admin, renewed.Admin);
        Assert.Equal(first.CaCertificate.Thumbprint, renewed.CaCertificate.Thumbprint);
        Assert.True(renewed.ServingCertificate.NotAfter.ToUniversalTime() > time.Now.UtcDateTime.AddDays(360));
    }

    [Fact]
    public void UnreadableCa_IsAnError_NotSilentlyReplaced()
    {
        using var dir = new TempDirectory("pki");
        var pki = ClusterPki.LoadOrCreate(dir.Path, []);
        File.WriteAllText(Path.Combine(pki.Directory, "ca.key"), "garbage");

        var error = Assert.Throws<InvalidOperationException>(() => ClusterPki.LoadOrCreate(dir.Path, []));

        Assert.Contains("cluster CA", error.Message, StringComparison.Ordinal);
        Assert.Equal(pki.CaCertificatePem, File.ReadAllText(Path.Combine(pki.Directory, "ca.crt")));
    }

    [Fact]
    public void ServingCertificateSignedByAnotherCa_IsReissued()
    {
        using var dir = new TempDirectory("pki");
        using var other = new TempDirectory("pki-other");
        var pki = ClusterPki.LoadOrCreate(dir.Path, []);
        var foreign = ClusterPki.LoadOrCreate(other.Path, []);
        File.Copy(Path.Combine(foreign.Directory, "serving.crt"), Path.Combine(pki.Directory, "serving.crt"), overwrite: true);
        File.Copy(Path.Combine(foreign.Directory, "serving.key"), Path.Combine(pki.Directory, "serving.key"), overwrite: true);

        var reloaded = ClusterPki.LoadOrCreate(dir.Path, []);

        Assert.NotEqual(foreign.ServingCertificate.Thumbprint, reloaded.ServingCertificate.Thumbprint);
        Assert.Equal(pki.CaCertificate.Subject, reloaded.ServingCertificate.Issuer);
    }

    [Fact]
    public void AdminCertificate_IsSystemAdminInSystemMasters()
    {
        using var dir = new TempDirectory("pki");
        var pki = ClusterPki.LoadOrCreate(dir.Path, []);

        using var admin = pki.Admin.ToCertificate();

        Assert.Equal("O=system:masters, CN=system:admin", admin.Subject);
        Assert.True(admin.HasPrivateKey);
        Assert.Equal(pki.CaCertificate.Subject, admin.Issuer);
    }

    [Fact]
    public void IssuedClientCertificate_CarriesNameGroupsAndLifetime()
    {
        using var dir = new TempDirectory("pki");
        var pki = ClusterPki.LoadOrCreate(dir.Path, []);

        var issued = pki.IssueClientCertificate("system:node:worker-1", ["system:nodes", "cetus:agents"], TimeSpan.FromDays(7));

        using var certificate = issued.ToCertificate();
        var result = new ClientCertificateValidator(pki.CaCertificate).Validate(certificate);
        Assert.True(result.IsAuthenticated, result.Rejection);
        Assert.Equal("system:node:worker-1", result.User!.Name);
        Assert.Equal(["system:nodes", "cetus:agents"], result.User.Groups);
        Assert.InRange((certificate.NotAfter - DateTime.Now).TotalDays, 6.9, 7.01);
    }
}
