using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Cetus.Kubelet.Bootstrap;
using k8s;
using k8s.Models;
using Xunit;

namespace Cetus.Kubelet.Tests.Bootstrap;

/// <summary>The kubelet's serving certificate: the request it makes, the key it keeps, and when it asks again.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class ServingCertificatesTests : IDisposable
{
    private static readonly DateTimeOffset Start = FakeCsrApi.Start;
    private readonly string _directory = Directory.CreateTempSubdirectory("cetus-serving-").FullName;
    private readonly FakeCsrApi _api;
    private readonly Kubernetes _client;
    private readonly MovableTime _time = new(Start);

    public ServingCertificatesTests()
    {
        _api = new FakeCsrApi(_time);
        _client = new Kubernetes(new KubernetesClientConfiguration { Host = "http://api.invalid" }, _api);
    }

    public void Dispose()
    {
        _client.Dispose();
        _api.Ca.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task FirstStart_AsksForAServingCertificate_AsTheNode_AndKeepsKeyAndCertificate()
    {
        using var certificate = await ServingCertificates.EnsureAsync(_client, Options(), cancellationToken: CancellationToken.None);

        var csr = Assert.Single(_api.Created);
        Assert.Equal("kubernetes.io/kubelet-serving", csr.Spec.SignerName);
        Assert.Equal(["digital signature", "server auth"], csr.Spec.Usages);
        var request = CertificateRequest.LoadSigningRequestPem(Encoding.ASCII.GetString(csr.Spec.Request), HashAlgorithmName.SHA256, CertificateRequestLoadOptions.UnsafeLoadCertificateExtensions);
        Assert.Equal("O=system:nodes, CN=system:node:w1", request.SubjectName.Name);
        var names = new X509SubjectAlternativeNameExtension(request.CertificateExtensions.Single(e => e.Oid?.Value == "2.5.29.17").RawData);
        Assert.Equal(["w1", "host-a"], names.EnumerateDnsNames());
        Assert.Equal([IPAddress.Parse("10.0.0.7")], names.EnumerateIPAddresses());
        Assert.Equal("ECC", request.PublicKey.Oid.FriendlyName);

        Assert.True(certificate.HasPrivateKey);
        Assert.Equal("system:node:w1", certificate.GetNameInfo(X509NameType.SimpleName, false));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(_directory, ServingCertificates.KeyFile)));
        Assert.True(File.Exists(Path.Combine(_directory, ServingCertificates.CertificateFile)));
        Assert.True(_api.Polls >= 1);
    }

    [Fact]
    public async Task ACurrentCertificate_IsReused_AndRenewed_WhenAFifthOfItsLifetimeIsLeftOrTheNamesChange()
    {
        // The fake signer issues ten-day certificates.
        using var first = await ServingCertificates.EnsureAsync(_client, Options(), cancellationToken: CancellationToken.None);
        _time.Now = Start.AddDays(7.9);
        using var reused = await ServingCertificates.EnsureAsync(_client, Options(), cancellationToken: CancellationToken.None);
        Assert.Equal(first.Thumbprint, reused.Thumbprint);
        Assert.Single(_api.Created);

        using var renamed = await ServingCertificates.EnsureAsync(_client, Options() with { IPAddresses = [IPAddress.Parse("10.0.0.8")] }, cancellationToken: CancellationToken.None);
        Assert.Equal(2, _api.Created.Count);
        Assert.NotEqual(first.Thumbprint, renamed.Thumbprint);

        _time.Now = Start.AddDays(16.5);
        using var renewed = await ServingCertificates.EnsureAsync(_client, Options() with { IPAddresses = [IPAddress.Parse("10.0.0.8")] }, cancellationToken: CancellationToken.None);
        Assert.Equal(3, _api.Created.Count);
        Assert.NotEqual(_api.Created[1].Metadata.Name, _api.Created[2].Metadata.Name);

        // The key stays the same throughout.
        var keys = _api.Created.Select(c => Convert.ToBase64String(CertificateRequest.LoadSigningRequestPem(Encoding.ASCII.GetString(c.Spec.Request), HashAlgorithmName.SHA256, CertificateRequestLoadOptions.UnsafeLoadCertificateExtensions).PublicKey.ExportSubjectPublicKeyInfo())).Distinct();
        Assert.Single(keys);
    }

    [Fact]
    public async Task ADeniedRequest_IsReported_AndAnUnapprovedOneTimesOut()
    {
        _api.Answer = csr => csr.Status = new V1CertificateSigningRequestStatus { Conditions = [new V1CertificateSigningRequestCondition { Type = "Denied", Status = "True", Reason = "NotOurs", Message = "no" }] };
        var denied = await Assert.ThrowsAsync<NodeBootstrapException>(() => ServingCertificates.EnsureAsync(_client, Options(), cancellationToken: CancellationToken.None));
        Assert.EndsWith("was denied: NotOurs: no", denied.Message, StringComparison.Ordinal);

        _api.Answer = _ => _time.Now += TimeSpan.FromSeconds(2);
        var late = await Assert.ThrowsAsync<NodeBootstrapException>(() => ServingCertificates.EnsureAsync(_client, Options() with { Timeout = TimeSpan.FromSeconds(5), NodeName = "w2" }, cancellationToken: CancellationToken.None));
        Assert.Contains("was not approved within 5 s: approve it with `kubectl certificate approve kubelet-serving-", late.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_directory, ServingCertificates.CertificateFile)));
    }

    private ServingCertificateOptions Options() => new()
    {
        NodeName = "w1",
        DnsNames = ["w1", "host-a"],
        IPAddresses = [IPAddress.Parse("10.0.0.7")],
        Directory = _directory,
        Time = _time,
    };
}
