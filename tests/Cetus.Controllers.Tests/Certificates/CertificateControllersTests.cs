using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Cetus.Client.Informers;
using Cetus.Controllers.CertificateApproving;
using Cetus.Controllers.CertificateCleaning;
using Cetus.Controllers.CertificateSigning;
using Cetus.Controllers.Common;
using k8s.Models;
using Xunit;

namespace Cetus.Controllers.Tests.Certificates;

/// <summary>Records the certificate controllers' writes; SubjectAccessReviews are answered from <see cref="Allowed"/>.</summary>
internal sealed class FakeCertificateClient : ICertificateClient
{
    public HashSet<(string User, string Subresource)> Allowed { get; } = [];

    public List<V1SubjectAccessReviewSpec> Reviews { get; } = [];

    public List<V1CertificateSigningRequest> Approvals { get; } = [];

    public List<V1CertificateSigningRequest> Statuses { get; } = [];

    public List<string> Deleted { get; } = [];

    public Task UpdateApprovalAsync(V1CertificateSigningRequest csr, CancellationToken cancellationToken)
    {
        Approvals.Add(csr);
        return Task.CompletedTask;
    }

    public Task UpdateStatusAsync(V1CertificateSigningRequest csr, CancellationToken cancellationToken)
    {
        Statuses.Add(csr);
        return Task.CompletedTask;
    }

    public Task DeleteAsync(string name, CancellationToken cancellationToken)
    {
        Deleted.Add(name);
        return Task.CompletedTask;
    }

    public Task<bool> AllowedAsync(V1SubjectAccessReviewSpec review, CancellationToken cancellationToken)
    {
        Reviews.Add(review);
        return Task.FromResult(Allowed.Contains((review.User, review.ResourceAttributes.Subresource)));
    }
}

public sealed class CertificateControllersTests : IDisposable
{
    private const string Kubelet = CertificateRequests.KubeletClientSigner;
    private readonly Indexer<V1CertificateSigningRequest> _requests = new();
    private readonly FakeCertificateClient _client = new();
    private readonly ManualTime _time = new();
    private readonly X509Certificate2 _ca = MakeCa(TimeSpan.FromDays(3650));

    public void Dispose() => _ca.Dispose();

    [Fact]
    public async Task Approver_ApprovesABootstrapTokensNodeClientRequest_AfterTheReview()
    {
        Add("boot", Csr("system:node:w1", ["system:nodes"], ["digital signature", "client auth"], "system:bootstrap:abcdef", "system:bootstrappers"));
        _client.Allowed.Add(("system:bootstrap:abcdef", "nodeclient"));

        await Approver().SyncAsync("boot", CancellationToken.None);

        var approved = Assert.Single(_client.Approvals);
        var condition = Assert.Single(approved.Status.Conditions);
        Assert.Equal(("Approved", "True", "AutoApproved", "Auto approving kubelet client certificate after SubjectAccessReview."), (condition.Type, condition.Status, condition.Reason, condition.Message));
        var review = Assert.Single(_client.Reviews);
        Assert.Equal(("certificates.k8s.io", "certificatesigningrequests", "create", "nodeclient"), (review.ResourceAttributes.Group, review.ResourceAttributes.Resource, review.ResourceAttributes.Verb, review.ResourceAttributes.Subresource));
        Assert.Equal(["system:bootstrappers"], review.Groups);
        Assert.Null(_requests.Get(null, "boot")!.Status);
    }

    [Fact]
    public async Task Approver_ApprovesANodesOwnRenewal_ThroughSelfnodeclient()
    {
        Add("renew", Csr("system:node:w1", ["system:nodes"], ["digital signature", "key encipherment", "client auth"], "system:node:w1", "system:nodes"));
        _client.Allowed.Add(("system:node:w1", "selfnodeclient"));

        await Approver().SyncAsync("renew", CancellationToken.None);

        Assert.Equal("Auto approving self kubelet client certificate after SubjectAccessReview.", Assert.Single(Assert.Single(_client.Approvals).Status.Conditions).Message);
        Assert.Equal("selfnodeclient", Assert.Single(_client.Reviews).ResourceAttributes.Subresource);
    }

    [Theory]
    [InlineData("alice", "system:nodes", "digital signature,client auth", Kubelet)]
    [InlineData("system:node:", "system:nodes", "digital signature,client auth", Kubelet)]
    [InlineData("system:node:w1", "system:masters", "digital signature,client auth", Kubelet)]
    [InlineData("system:node:w1", "system:nodes", "digital signature,server auth", Kubelet)]
    [InlineData("system:node:w1", "system:nodes", "client auth", Kubelet)]
    [InlineData("system:node:w1", "system:nodes", "digital signature,client auth", "kubernetes.io/kube-apiserver-client")]
    public async Task Approver_NeverLooksAt_WhatIsNotAKubeletClientRequest(string commonName, string organization, string usages, string signer)
    {
        Add("x", Csr(commonName, [organization], usages.Split(','), "system:bootstrap:abcdef", "system:bootstrappers", signer));
        _client.Allowed.Add(("system:bootstrap:abcdef", "nodeclient"));

        await Approver().SyncAsync("x", CancellationToken.None);

        Assert.Empty(_client.Reviews);
        Assert.Empty(_client.Approvals);
    }

    [Fact]
    public async Task Approver_LeavesPending_WhenTheRequesterLacksThePermission()
    {
        // A node asking for another node's certificate: not its own name (no selfnodeclient), and nodes lack nodeclient.
        Add("other", Csr("system:node:w2", ["system:nodes"], ["digital signature", "client auth"], "system:node:w1", "system:nodes"));
        _client.Allowed.Add(("system:node:w1", "selfnodeclient"));

        await Approver().SyncAsync("other", CancellationToken.None);

        Assert.Equal(["nodeclient"], _client.Reviews.Select(r => r.ResourceAttributes.Subresource));
        Assert.Empty(_client.Approvals);
    }

    [Fact]
    public async Task Approver_SkipsDecidedRequests()
    {
        var denied = Csr("system:node:w1", ["system:nodes"], ["digital signature", "client auth"], "system:bootstrap:abcdef", "system:bootstrappers");
        denied.Status = new V1CertificateSigningRequestStatus { Conditions = [new V1CertificateSigningRequestCondition { Type = "Denied", Status = "True" }] };
        Add("denied", denied);
        _client.Allowed.Add(("system:bootstrap:abcdef", "nodeclient"));

        await Approver().SyncAsync("denied", CancellationToken.None);
        await Approver().SyncAsync("missing", CancellationToken.None);

        Assert.Empty(_client.Approvals);
    }

    [Fact]
    public async Task Signer_IssuesApprovedKubeletRequests_WithTheSubjectAndUsages()
    {
        var csr = Approved(Csr("system:node:w1", ["system:nodes"], ["digital signature", "client auth"], "system:bootstrap:abcdef", "system:bootstrappers"));
        Add("ok", csr);

        await Signing().SyncAsync("ok", CancellationToken.None);

        var written = Assert.Single(_client.Statuses);
        using var certificate = X509Certificate2.CreateFromPem(Encoding.ASCII.GetString(written.Status.Certificate));
        Assert.Equal("system:node:w1", certificate.GetNameInfo(X509NameType.SimpleName, false));
        Assert.Contains("O=system:nodes", certificate.Subject, StringComparison.Ordinal);
        Assert.Equal(_ca.Subject, certificate.Issuer);
        Assert.Equal(_time.GetUtcNow().UtcDateTime.AddMinutes(-5), certificate.NotBefore.ToUniversalTime());
        // A long lifetime ends five minutes early too (upstream backdates both ends past 8 hours).
        Assert.Equal(_time.GetUtcNow().UtcDateTime.AddMinutes(-5).AddDays(365), certificate.NotAfter.ToUniversalTime());
        var usage = certificate.Extensions.OfType<X509KeyUsageExtension>().Single();
        Assert.Equal(X509KeyUsageFlags.DigitalSignature, usage.KeyUsages);
        Assert.Equal(["1.3.6.1.5.5.7.3.2"], certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>().Single().EnhancedKeyUsages.Cast<Oid>().Select(o => o.Value));
        using var chain = new X509Chain { ChainPolicy = { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck, VerificationTime = _time.GetUtcNow().UtcDateTime } };
        chain.ChainPolicy.CustomTrustStore.Add(_ca);
        Assert.True(chain.Build(certificate));
    }

    [Fact]
    public async Task Signer_HonoursExpirationSeconds_CappedByTheCa()
    {
        using var shortCa = MakeCa(TimeSpan.FromDays(30));
        var asked = Approved(Csr("bob", ["dev"], ["client auth"], "admin", "system:masters", "kubernetes.io/kube-apiserver-client"));
        asked.Spec.ExpirationSeconds = 3600;
        var long_ = Approved(Csr("carol", [], ["client auth"], "admin", "system:masters", "kubernetes.io/kube-apiserver-client"));
        Add("hour", asked);
        Add("long", long_);

        await Signing().SyncAsync("hour", CancellationToken.None);
        await new CsrSigningController(_requests, _client, new CertificateSigner(shortCa, time: _time), _time).SyncAsync("long", CancellationToken.None);

        using var hour = X509Certificate2.CreateFromPem(Encoding.ASCII.GetString(_client.Statuses[0].Status.Certificate));
        using var capped = X509Certificate2.CreateFromPem(Encoding.ASCII.GetString(_client.Statuses[1].Status.Certificate));
        Assert.Equal(_time.GetUtcNow().UtcDateTime.AddHours(1), hour.NotAfter.ToUniversalTime());
        Assert.Equal(shortCa.NotAfter, capped.NotAfter);
    }

    [Fact]
    public async Task Signer_MarksFailed_AKubeletRequestItMayNotSign_AndSkipsPendingOrForeignOnes()
    {
        Add("bad", Approved(Csr("alice", ["system:nodes"], ["digital signature", "client auth"], "admin", "system:masters")));
        Add("pending", Csr("system:node:w1", ["system:nodes"], ["digital signature", "client auth"], "admin", "system:masters"));
        Add("foreign", Approved(Csr("x", [], ["client auth"], "admin", "system:masters", "example.com/other")));

        await Signing().SyncAsync("bad", CancellationToken.None);
        await Signing().SyncAsync("pending", CancellationToken.None);
        await Signing().SyncAsync("foreign", CancellationToken.None);

        var failed = Assert.Single(_client.Statuses);
        var condition = failed.Status.Conditions.Single(c => c.Type == "Failed");
        Assert.Equal(("SignerValidationFailure", "subject common name does not begin with system:node:"), (condition.Reason, condition.Message));
        Assert.Null(failed.Status.Certificate);
    }

    [Fact]
    public async Task Cleaner_DeletesIssuedAfterAnHour_AndPendingAfterADay()
    {
        var created = _time.GetUtcNow().UtcDateTime;
        var issued = Approved(Csr("system:node:w1", ["system:nodes"], ["client auth"], "a", "g"));
        issued.Metadata.CreationTimestamp = created;
        issued.Status.Conditions[0].LastUpdateTime = created;
        issued.Status.Certificate = Encoding.ASCII.GetBytes(_ca.ExportCertificatePem());
        var pending = Csr("system:node:w2", ["system:nodes"], ["client auth"], "a", "g");
        pending.Metadata.CreationTimestamp = created;
        Add("issued", issued);
        Add("pending", pending);
        var cleaner = new CsrCleanerController(_requests, _client, _time);

        await cleaner.SyncAsync("issued", CancellationToken.None);
        await cleaner.SyncAsync("pending", CancellationToken.None);
        Assert.Empty(_client.Deleted);
        _time.Advance(TimeSpan.FromHours(1));
        await cleaner.SyncAsync("issued", CancellationToken.None);
        await cleaner.SyncAsync("pending", CancellationToken.None);
        Assert.Equal(["issued"], _client.Deleted);
        _time.Advance(TimeSpan.FromHours(23));
        await cleaner.SyncAsync("pending", CancellationToken.None);
        Assert.Equal(["issued", "pending"], _client.Deleted);
    }

    private CsrApprovingController Approver() => new(_requests, _client, _time);

    private CsrSigningController Signing() => new(_requests, _client, new CertificateSigner(_ca, time: _time), _time);

    private void Add(string name, V1CertificateSigningRequest csr)
    {
        csr.Metadata = new V1ObjectMeta { Name = name, CreationTimestamp = csr.Metadata?.CreationTimestamp };
        _requests.Upsert(csr);
    }

    internal static V1CertificateSigningRequest Approved(V1CertificateSigningRequest csr)
    {
        csr.Status = new V1CertificateSigningRequestStatus { Conditions = [new V1CertificateSigningRequestCondition { Type = "Approved", Status = "True" }] };
        return csr;
    }

    internal static V1CertificateSigningRequest Csr(string commonName, string[] organizations, string[] usages, string user, string group, string signer = Kubelet, Action<CertificateRequest>? extend = null)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var subject = new X500DistinguishedNameBuilder();
        foreach (var organization in organizations)
        {
            subject.AddOrganizationName(organization);
        }

        subject.AddCommonName(commonName);
        return new V1CertificateSigningRequest
        {
            Metadata = new V1ObjectMeta(),
            Spec = new V1CertificateSigningRequestSpec
            {
                Request = Encoding.ASCII.GetBytes(Request(subject.Build(), key, extend)),
                SignerName = signer,
                Usages = usages,
                Username = user,
                Groups = [group],
            },
        };
    }

    private static string Request(X500DistinguishedName subject, ECDsa key, Action<CertificateRequest>? extend)
    {
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        extend?.Invoke(request);
        return request.CreateSigningRequestPem();
    }

    internal static X509Certificate2 MakeCa(TimeSpan lifetime)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=test-ca", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(X509BasicConstraintsExtension.CreateForCertificateAuthority());
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var now = new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);
        return request.CreateSelfSigned(now.AddDays(-1), now + lifetime);
    }
}
