using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Cetus.Api.Resources.CertificateSigningRequests;
using Cetus.Api.Scheme;
using k8s.Models;
using Xunit;

namespace Cetus.Api.Tests.Resources.CertificateSigningRequests;

public sealed class CertificateSigningRequestStrategyTests
{
    private static readonly IResourceStrategy Strategy = StrategyRun.For<V1CertificateSigningRequest>();

    [Fact]
    public void Create_RecordsTheRequester_WhateverTheBodySaid()
    {
        var csr = Valid();
        csr.Spec.Username = "system:admin";
        csr.Spec.Groups = ["system:masters"];
        csr.Status = new V1CertificateSigningRequestStatus { Certificate = [1] };

        Strategy.PrepareForCreate(csr);
        Strategy.RecordRequester(csr, new Requester("system:bootstrap:abcdef", "", ["system:bootstrappers", "system:authenticated"], new Dictionary<string, IReadOnlyList<string>>()));

        Assert.Equal("system:bootstrap:abcdef", csr.Spec.Username);
        Assert.Equal(["system:bootstrappers", "system:authenticated"], csr.Spec.Groups);
        Assert.Null(csr.Spec.Uid);
        Assert.Null(csr.Status);
        Assert.Empty(Strategy.ValidateCreate(csr));
    }

    [Fact]
    public void Create_ValidatesRequestUsagesSignerAndDuration()
    {
        var csr = Valid();
        csr.Spec.Request = Encoding.ASCII.GetBytes("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
        csr.Spec.Usages = ["client auth", "flying", "client auth"];
        csr.Spec.SignerName = "no-slash";
        csr.Spec.ExpirationSeconds = 60;

        var errors = StrategyRun.Create(csr);

        Assert.Equal(
        [
            "spec.request: Invalid value: \"<request data>\": PEM block type must be CERTIFICATE REQUEST",
            "spec.usages[1]: Unsupported value: \"flying\": supported values: " + string.Join(", ", CertificateSigningRequestValidation.KnownUsages.Select(u => $"\"{u}\"")),
            "spec.usages[2]: Duplicate value: \"client auth\"",
            "spec.signerName: Invalid value: \"no-slash\": must be a fully qualified domain and path of the form 'example.com/signer-name'",
            "spec.expirationSeconds: Invalid value: 60: may not specify a duration less than 600 seconds (10 minutes)",
        ], errors);
        Assert.Contains("spec.usages: Required value", StrategyRun.Create(Valid(usages: [])));
    }

    [Fact]
    public void Updates_KeepTheSpec_ApprovalChangesOnlyConditions_StatusOnlyTheCertificate()
    {
        var old = Valid();
        old.Metadata.ResourceVersion = "1";

        var update = Valid();
        update.Spec.SignerName = "example.com/changed";
        update.Status = new V1CertificateSigningRequestStatus { Certificate = [1], Conditions = [Condition("Approved")] };
        Strategy.PrepareForUpdate(update, old);
        Assert.Equal("kubernetes.io/kube-apiserver-client-kubelet", update.Spec.SignerName);
        Assert.Null(update.Status);

        var approval = Valid();
        approval.Status = new V1CertificateSigningRequestStatus { Certificate = Encoding.ASCII.GetBytes("x"), Conditions = [Condition("Approved")] };
        Strategy.PrepareForApprovalUpdate(approval, old);
        Assert.Null(approval.Status.Certificate);
        Assert.Equal("Approved", Assert.Single(approval.Status.Conditions).Type);
        Assert.NotNull(approval.Status.Conditions[0].LastTransitionTime);

        var status = Valid();
        status.Status = new V1CertificateSigningRequestStatus { Conditions = [Condition("Denied"), Condition("Failed")] };
        var approved = Valid();
        approved.Status = new V1CertificateSigningRequestStatus { Conditions = [Condition("Approved")] };
        Strategy.PrepareForStatusUpdate(status, approved);
        Assert.Equal(["Failed", "Approved"], status.Status.Conditions.Select(c => c.Type));
    }

    [Fact]
    public void Update_RefusesApprovedWithDenied_RemovingApproval_AndChangingTheCertificate()
    {
        var old = Valid();
        old.Status = new V1CertificateSigningRequestStatus { Certificate = Pem(), Conditions = [Condition("Approved")] };
        var both = Valid();
        both.Status = new V1CertificateSigningRequestStatus { Certificate = Pem(), Conditions = [Condition("Approved"), Condition("Denied")] };
        var removed = Valid();
        removed.Status = new V1CertificateSigningRequestStatus { Certificate = Pem() };
        var changed = Valid();
        changed.Status = new V1CertificateSigningRequestStatus { Certificate = Pem(), Conditions = [Condition("Approved")] };

        Assert.Contains("status.conditions: Invalid value: 2: Approved and Denied conditions are mutually exclusive", Messages(Strategy.ValidateUpdate(both, old)));
        Assert.Contains("status.conditions: Forbidden: updates may not remove a condition of type \"Approved\"", Messages(Strategy.ValidateUpdate(removed, old)));
        Assert.Contains("status.certificate: Forbidden: updates may not modify existing certificate content", Messages(Strategy.ValidateUpdate(changed, old)));
    }

    [Theory]
    [InlineData(new string[0], false, "Pending")]
    [InlineData(new[] { "Approved" }, false, "Approved")]
    [InlineData(new[] { "Approved" }, true, "Approved,Issued")]
    [InlineData(new[] { "Denied" }, false, "Denied")]
    [InlineData(new[] { "Approved", "Failed" }, false, "Approved,Failed")]
    public void Table_Condition_IsUpstreams(string[] conditions, bool issued, string expected)
    {
        var csr = Valid();
        csr.Status = new V1CertificateSigningRequestStatus { Conditions = conditions.Select(Condition).ToList(), Certificate = issued ? [1] : null };

        Assert.Equal(expected, CertificateSigningRequestTable.Condition(csr));
    }

    private static List<string> Messages(IReadOnlyList<FieldError> errors) => errors.Select(e => e.Message).ToList();

    private static V1CertificateSigningRequestCondition Condition(string type) => new() { Type = type, Status = "True" };

    private static byte[] Pem()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var certificate = new CertificateRequest("CN=x", key, HashAlgorithmName.SHA256).CreateSelfSigned(DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddDays(1));
        return Encoding.ASCII.GetBytes(certificate.ExportCertificatePem());
    }

    private static V1CertificateSigningRequest Valid(string[]? usages = null)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var pem = new CertificateRequest("O=system:nodes, CN=system:node:w1", key, HashAlgorithmName.SHA256).CreateSigningRequestPem();
        return new V1CertificateSigningRequest
        {
            Metadata = new V1ObjectMeta { Name = "csr-1" },
            Spec = new V1CertificateSigningRequestSpec
            {
                Request = Encoding.ASCII.GetBytes(pem),
                SignerName = "kubernetes.io/kube-apiserver-client-kubelet",
                Usages = usages ?? ["digital signature", "client auth"],
            },
        };
    }
}
