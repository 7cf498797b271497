using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using k8s;
using k8s.Models;

namespace Cetus.Kubelet.Tests.Bootstrap;

/// <summary>A clock set by hand whose timers fire at once (polling waits need not wait).</summary>
internal sealed class MovableTime(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        System.CreateTimer(callback, state, TimeSpan.Zero, Timeout.InfiniteTimeSpan);
}

/// <summary>
/// The CSR API in a message handler: creates (409 on a name it has), reads, and on each read signs with a test CA
/// (ten days) unless <see cref="Answer"/> decides otherwise.
/// </summary>
internal sealed class FakeCsrApi(MovableTime time) : DelegatingHandler
{
    public static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

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
