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
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
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

    private sealed class MovableTime(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;

        // Polling waits need not wait in these tests.
        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
            System.CreateTimer(callback, state, TimeSpan.Zero, Timeout.InfiniteTimeSpan);
    }

    /// <summary>
    /// The CSR API in a message handler: creates (409 on a name it has), reads, and on each read signs with a test CA
    /// (ten days) unless <see cref="Answer"/> decides otherwise.
    /// </summary>
    private sealed class FakeCsrApi(MovableTime time) : DelegatingHandler
    {
        private readonly Dictionary<string, V1CertificateSigningRequest> _stored = [];

        public X509Certificate2 Ca { get; } = MakeCa();

        public List<V1CertificateSigningRequest> Created { get; } = [];

        public int Polls { get; private set; }

        public Action<V1CertificateSigningRequest>? Answer { get; set; }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            const string collection = "/apis/certificates.k8s.io/v1/certificatesigningrequests";
            var path = request.RequestUri!.AbsolutePath;
            if (request.Method == HttpMethod.Post && path == collection)
            {
                var csr = KubernetesJson.Deserialize<V1CertificateSigningRequest>(await request.Content!.ReadAsStringAsync(cancellationToken));
                if (!_stored.TryAdd(csr.Metadata.Name, csr))
                {
                    return Json(request, HttpStatusCode.Conflict, new V1Status { Code = 409, Reason = "AlreadyExists" });
                }

                Created.Add(csr);
                return Json(request, HttpStatusCode.Created, csr);
            }

            if (request.Method == HttpMethod.Get && path.StartsWith(collection + "/", StringComparison.Ordinal) && _stored.TryGetValue(path[(collection.Length + 1)..], out var stored))
            {
                Polls++;
                if (Answer is { } answer)
                {
                    answer(stored);
                }
                else if (stored.Status?.Certificate is null)
                {
                    stored.Status = new V1CertificateSigningRequestStatus { Certificate = Encoding.ASCII.GetBytes(Sign(stored)) };
                }

                return Json(request, HttpStatusCode.OK, stored);
            }

            return Json(request, HttpStatusCode.NotFound, new V1Status { Code = 404, Reason = "NotFound" });
        }

        private static HttpResponseMessage Json(HttpRequestMessage request, HttpStatusCode code, object body) =>
            new(code) { RequestMessage = request, Content = new StringContent(KubernetesJson.Serialize(body), Encoding.UTF8, "application/json") };

        private string Sign(V1CertificateSigningRequest csr)
        {
            var request = CertificateRequest.LoadSigningRequestPem(Encoding.ASCII.GetString(csr.Spec.Request), HashAlgorithmName.SHA256, CertificateRequestLoadOptions.UnsafeLoadCertificateExtensions);
            var issued = new CertificateRequest(request.SubjectName, request.PublicKey, HashAlgorithmName.SHA256);
            foreach (var extension in request.CertificateExtensions)
            {
                issued.CertificateExtensions.Add(extension);
            }

            var serial = RandomNumberGenerator.GetBytes(8);
            serial[0] &= 0x7F;
            using var certificate = issued.Create(Ca, time.Now, time.Now.AddDays(10), serial);
            return certificate.ExportCertificatePem();
        }

        private static X509Certificate2 MakeCa()
        {
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var request = new CertificateRequest("CN=test-ca", key, HashAlgorithmName.SHA256);
            request.CertificateExtensions.Add(X509BasicConstraintsExtension.CreateForCertificateAuthority());
            return request.CreateSelfSigned(Start.AddYears(-1), Start.AddYears(10));
        }
    }
}
