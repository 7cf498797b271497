using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Cetus.Client.Informers;
using Cetus.Controllers.CertificateApproving;
using Cetus.Controllers.CertificateSigning;
using Cetus.Controllers.Common;
using k8s.Models;
using Xunit;
using static Cetus.Controllers.Tests.Certificates.CertificateControllersTests;

namespace Cetus.Controllers.Tests.Certificates;

/// <summary>Kubelet serving requests (signer kubernetes.io/kubelet-serving): upstream's checks, the signer, and Cetus's self-approval.</summary>
public sealed class KubeletServingTests : IDisposable
{
    private const string Serving = CertificateRequests.KubeletServingSigner;
    private static readonly string[] ServerUsages = ["digital signature", "server auth"];
    private readonly Indexer<V1CertificateSigningRequest> _requests = new();
    private readonly FakeCertificateClient _client = new();
    private readonly ManualTime _time = new();
    private readonly X509Certificate2 _ca = MakeCa(TimeSpan.FromDays(3650));

    public void Dispose() => _ca.Dispose();

    [Fact]
    public async Task ANodesOwnServingRequest_IsApproved_ThenSigned_WithServerAuthAndItsNames()
    {
        Add("own", NodeRequest("system:node:w1", "system:node:w1", "system:nodes"));

        await new CsrApprovingController(_requests, _client, _time).SyncAsync("own", CancellationToken.None);
        var approved = Assert.Single(_client.Approvals);
        var condition = Assert.Single(approved.Status.Conditions);
        Assert.Equal(("Approved", "True", "AutoApproved"), (condition.Type, condition.Status, condition.Reason));
        Assert.Empty(_client.Reviews);

        _requests.Upsert(approved);
        await Signing().SyncAsync("own", CancellationToken.None);
        var written = Assert.Single(_client.Statuses);
        using var certificate = X509Certificate2.CreateFromPem(Encoding.ASCII.GetString(written.Status.Certificate));
        Assert.Equal("system:node:w1", certificate.GetNameInfo(X509NameType.SimpleName, false));
        Assert.Equal(["1.3.6.1.5.5.7.3.1"], certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>().Single().EnhancedKeyUsages.Cast<Oid>().Select(o => o.Value));
        Assert.Equal(X509KeyUsageFlags.DigitalSignature, certificate.Extensions.OfType<X509KeyUsageExtension>().Single().KeyUsages);
        var names = certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single();
        Assert.Equal(["w1", "w1.example"], names.EnumerateDnsNames());
        Assert.Equal([IPAddress.Parse("10.0.0.7")], names.EnumerateIPAddresses());
    }

    [Theory]
    [InlineData("system:node:w2", "system:node:w1", "system:nodes")] // a node asking for another node's name
    [InlineData("system:node:w1", "system:node:w1", "system:authenticated")] // not in system:nodes
    [InlineData("system:node:w1", "admin", "system:masters")] // someone else on the node's behalf
    [InlineData("system:node:w1", "system:bootstrap:abcdef", "system:bootstrappers")] // a join token
    public async Task ServingRequests_NotMadeByTheNodeItself_StayPending(string commonName, string user, string group)
    {
        Add("x", NodeRequest(commonName, user, group));

        await new CsrApprovingController(_requests, _client, _time).SyncAsync("x", CancellationToken.None);

        Assert.Empty(_client.Approvals);
        Assert.Empty(_client.Reviews);
    }

    [Fact]
    public async Task AServingRequestForTheApiServersName_StaysPending()
    {
        Add("x", Csr("system:node:w1", ["system:nodes"], ServerUsages, "system:node:w1", "system:nodes", Serving, r => r.CertificateExtensions.Add(Names(["kubernetes.default.svc"], []))));

        await new CsrApprovingController(_requests, _client, _time).SyncAsync("x", CancellationToken.None);

        Assert.Empty(_client.Approvals);
    }

    [Theory]
    [InlineData("system:node:w1", "system:nodes,other", "digital signature,server auth", "w1", "", "subject organization is not system:nodes")]
    [InlineData("system:node:w1", "", "digital signature,server auth", "w1", "", "subject organization is not system:nodes")]
    [InlineData("system:node:w1", "system:nodes", "digital signature,server auth", "", "", "DNS or IP subjectAltName is required")]
    [InlineData("system:node:w1", "system:nodes", "digital signature,server auth", "w1", "email", "Email subjectAltNames are not allowed")]
    [InlineData("system:node:w1", "system:nodes", "digital signature,server auth", "w1", "uri", "URI subjectAltNames are not allowed")]
    [InlineData("system:node:w1", "system:nodes", "digital signature,server auth,client auth", "w1", "", "usages did not match [digital signature key encipherment server auth]")]
    [InlineData("system:node:w1", "system:nodes", "server auth", "w1", "", "usages did not match [digital signature key encipherment server auth]")]
    [InlineData("alice", "system:nodes", "digital signature,key encipherment,server auth", "w1", "", "subject common name does not begin with system:node:")]
    public async Task Signer_MarksFailed_AServingRequestThatFailsUpstreamsChecks(string commonName, string organizations, string usages, string dns, string extra, string message)
    {
        var csr = Approved(Csr(commonName, organizations.Split(',', StringSplitOptions.RemoveEmptyEntries), usages.Split(','), "system:node:w1", "system:nodes", Serving, request =>
        {
            var names = new SubjectAlternativeNameBuilder();
            if (dns.Length > 0)
            {
                names.AddDnsName(dns);
            }

            if (extra == "email")
            {
                names.AddEmailAddress("w1@example.com");
            }
            else if (extra == "uri")
            {
                names.AddUri(new Uri("spiffe://cluster/w1"));
            }

            if (dns.Length > 0 || extra.Length > 0)
            {
                request.CertificateExtensions.Add(names.Build());
            }
        }));
        Add("bad", csr);

        await Signing().SyncAsync("bad", CancellationToken.None);

        var failed = Assert.Single(_client.Statuses);
        var condition = failed.Status.Conditions.Single(c => c.Type == "Failed");
        Assert.Equal(("True", "SignerValidationFailure", message), (condition.Status, condition.Reason, condition.Message));
        Assert.Null(failed.Status.Certificate);

        // Such a request is never auto-approved either, even from the node itself.
        Assert.Null(CsrApprovingController.SelfServing(csr));
    }

    [Fact]
    public async Task Signer_SignsAnApprovedServingRequestWithKeyEncipherment_FromAnyApprover()
    {
        var csr = Approved(Csr("system:node:w1", ["system:nodes"], ["digital signature", "key encipherment", "server auth"], "admin", "system:masters", Serving, r => r.CertificateExtensions.Add(Names([], [IPAddress.Parse("10.0.0.7")]))));
        Add("rsa", csr);

        await Signing().SyncAsync("rsa", CancellationToken.None);

        var written = Assert.Single(_client.Statuses);
        using var certificate = X509Certificate2.CreateFromPem(Encoding.ASCII.GetString(written.Status.Certificate));
        Assert.Equal(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, certificate.Extensions.OfType<X509KeyUsageExtension>().Single().KeyUsages);
    }

    private CsrSigningController Signing() => new(_requests, _client, new CertificateSigner(_ca, time: _time), _time);

    private void Add(string name, V1CertificateSigningRequest csr)
    {
        csr.Metadata = new V1ObjectMeta { Name = name };
        _requests.Upsert(csr);
    }

    private static V1CertificateSigningRequest NodeRequest(string commonName, string user, string group) =>
        Csr(commonName, ["system:nodes"], ServerUsages, user, group, Serving, r => r.CertificateExtensions.Add(Names(["w1", "w1.example"], [IPAddress.Parse("10.0.0.7")])));

    private static X509Extension Names(string[] dns, IPAddress[] addresses)
    {
        var names = new SubjectAlternativeNameBuilder();
        foreach (var name in dns)
        {
            names.AddDnsName(name);
        }

        foreach (var address in addresses)
        {
            names.AddIpAddress(address);
        }

        return names.Build();
    }
}
