using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Cetus.Client.Informers;
using Cetus.Controllers.CertificateSigning;
using Cetus.Controllers.Common;
using k8s.Models;
using Xunit;

namespace Cetus.Controllers.Tests.Certificates;

/// <summary>
/// --cluster-signing-duration and spec.expirationSeconds (upstream's signer.duration and PermissiveSigningPolicy), a
/// CA per signer name, and reading a signing CA from PEM files.
/// </summary>
public sealed class SigningLifetimeTests : IDisposable
{
    private readonly ManualTime _time = new();
    private readonly X509Certificate2 _ca = CertificateControllersTests.MakeCa(TimeSpan.FromDays(3650));
    private readonly TempFiles _files = new();

    public void Dispose()
    {
        _ca.Dispose();
        _files.Dispose();
    }

    [Theory]
    [InlineData(null, 2 * 3600)]        // none asked: the signing duration
    [InlineData(3600, 3600)]            // shorter: honoured
    [InlineData(9 * 3600, 2 * 3600)]    // longer: capped by the signing duration
    [InlineData(600, 600)]              // the API's minimum
    [InlineData(60, 600)]               // below ten minutes (only a stored object can say so): ten minutes
    public void Lifetime_IsTheSigningDuration_ShortenedByExpirationSeconds(int? expirationSeconds, int expected)
    {
        var signer = new CertificateSigner(_ca, TimeSpan.FromHours(2), _time);

        Assert.Equal(TimeSpan.FromSeconds(expected), signer.Lifetime(expirationSeconds));
    }

    [Fact]
    public void ShortLivedCertificates_EndALifetimeAfterNow_LongOnesALifetimeAfterTheBackdatedStart()
    {
        var now = _time.GetUtcNow().UtcDateTime;
        using var shortSigner = Issue(new CertificateSigner(_ca, TimeSpan.FromHours(2), _time), null);
        using var longSigner = Issue(new CertificateSigner(_ca, TimeSpan.FromHours(8), _time), null);
        using var asked = Issue(new CertificateSigner(_ca, null, _time), 900);

        Assert.Equal(now.AddMinutes(-5), shortSigner.NotBefore.ToUniversalTime());
        Assert.Equal(now.AddHours(2), shortSigner.NotAfter.ToUniversalTime());
        Assert.Equal(now.AddMinutes(-5).AddHours(8), longSigner.NotAfter.ToUniversalTime());
        Assert.Equal(now.AddMinutes(15), asked.NotAfter.ToUniversalTime());
    }

    [Fact]
    public void AnExpiredCa_SignsNothing()
    {
        var signer = new CertificateSigner(_ca, null, _time);
        _time.Advance(TimeSpan.FromDays(3651));

        var error = Assert.Throws<InvalidOperationException>(() => Issue(signer, null));

        Assert.StartsWith("refusing to sign a certificate that expired in the past", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ANonPositiveDuration_IsRefused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new CertificateSigner(_ca, TimeSpan.Zero, _time));

    [Fact]
    public async Task EachSigner_UsesItsOwnCa_AndASignerWithoutOne_IsLeftAlone()
    {
        using var servingCa = CertificateControllersTests.MakeCa(TimeSpan.FromDays(100));
        var requests = new Indexer<V1CertificateSigningRequest>();
        var client = new FakeCertificateClient();
        var serving = CertificateControllersTests.Approved(CertificateControllersTests.Csr("system:node:w1", ["system:nodes"], ["digital signature", "server auth"], "system:node:w1", "system:nodes", CertificateRequests.KubeletServingSigner, r => r.CertificateExtensions.Add(Dns("w1"))));
        serving.Metadata = new V1ObjectMeta { Name = "serving" };
        var kubelet = CertificateControllersTests.Approved(CertificateControllersTests.Csr("system:node:w1", ["system:nodes"], ["digital signature", "client auth"], "system:node:w1", "system:nodes"));
        kubelet.Metadata = new V1ObjectMeta { Name = "kubelet" };
        requests.Upsert(serving);
        requests.Upsert(kubelet);
        var controller = new CsrSigningController(requests, client, new Dictionary<string, CertificateSigner> { [CertificateRequests.KubeletServingSigner] = new(servingCa, null, _time) }, _time);

        await controller.SyncAsync("serving", CancellationToken.None);
        await controller.SyncAsync("kubelet", CancellationToken.None);

        var written = Assert.Single(client.Statuses);
        using var certificate = X509Certificate2.CreateFromPem(Encoding.ASCII.GetString(written.Status.Certificate));
        Assert.Equal("serving", written.Metadata.Name);
        Assert.Equal(servingCa.SubjectName.RawData, certificate.IssuerName.RawData);
        Assert.Equal(servingCa.NotAfter, certificate.NotAfter);
    }

    [Fact]
    public void SigningAuthority_LoadsAnRsaCaFromPemFiles_WhichSigns()
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=files-ca", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(X509BasicConstraintsExtension.CreateForCertificateAuthority());
        using var made = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(10));
        var cert = _files.Write("ca.crt", made.ExportCertificatePem());
        var key = _files.Write("ca.key", rsa.ExportRSAPrivateKeyPem());
        var ecKey = _files.Write("ec.key", ECDsa.Create(ECCurve.NamedCurves.nistP256).ExportECPrivateKeyPem());

        using var loaded = SigningAuthority.Load(cert, key);
        using var issued = Issue(new CertificateSigner(loaded, null, _time), null);
        var mismatch = Assert.Throws<InvalidDataException>(() => SigningAuthority.Load(cert, ecKey));
        var missing = Assert.Throws<InvalidDataException>(() => SigningAuthority.Load(cert, _files.Path("absent.key")));

        Assert.True(loaded.HasPrivateKey);
        Assert.Equal("CN=files-ca", loaded.Subject);
        Assert.Equal("CN=files-ca", issued.Issuer);
        Assert.StartsWith($"{cert} and {ecKey} are not a PEM certificate and its private key", mismatch.Message, StringComparison.Ordinal);
        Assert.Equal($"{_files.Path("absent.key")}: no such file", missing.Message);
    }

    [Fact]
    public void SigningAuthority_RefusesALeafCertificate()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=leaf", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        using var leaf = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(10));
        var cert = _files.Write("leaf.crt", leaf.ExportCertificatePem());
        var keyFile = _files.Write("leaf.key", key.ExportPkcs8PrivateKeyPem());

        var error = Assert.Throws<InvalidDataException>(() => SigningAuthority.Load(cert, keyFile));

        Assert.Equal($"{cert} is not a CA certificate (basic constraints CA:FALSE)", error.Message);
    }

    private static X509Extension Dns(string name)
    {
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(name);
        return names.Build();
    }

    private static X509Certificate2 Issue(CertificateSigner signer, int? expirationSeconds)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=someone", key, HashAlgorithmName.SHA256);
        return X509Certificate2.CreateFromPem(signer.Sign(request, ["client auth"], expirationSeconds));
    }

    private sealed class TempFiles : IDisposable
    {
        private readonly string _dir = Directory.CreateTempSubdirectory("cetus-signing-").FullName;

        public string Path(string name) => System.IO.Path.Combine(_dir, name);

        public string Write(string name, string text)
        {
            File.WriteAllText(Path(name), text);
            return Path(name);
        }

        public void Dispose() => Directory.Delete(_dir, recursive: true);
    }
}
