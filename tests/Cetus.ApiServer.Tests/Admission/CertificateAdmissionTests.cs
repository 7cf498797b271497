using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Cetus.ApiServer.Admission.Certificates;
using Cetus.ApiServer.Authorization;
using Cetus.ApiServer.Errors;
using Cetus.ApiServer.Security;
using Cetus.ApiServer.Tests.Authorization;
using k8s.Models;
using Xunit;

namespace Cetus.ApiServer.Tests.Admission;

/// <summary>
/// The certificates.k8s.io admission plugins against an RBAC policy: approve and sign on the synthetic
/// <c>signers</c> resource (by name or by the domain's wildcard), and the system:masters subject restriction.
/// </summary>
public sealed class CertificateAdmissionTests
{
    private const string ClientSigner = "kubernetes.io/kube-apiserver-client";
    private const string ServingSigner = "kubernetes.io/kubelet-serving";

    private static readonly UserInfo Approver = new("approver", "", ["system:authenticated"]);
    private static readonly UserInfo Wildcard = new("wildcard", "", ["system:authenticated"]);
    private static readonly UserInfo Nobody = new("nobody", "", ["system:authenticated"]);
    private static readonly UserInfo Root = new("root", "", ["system:masters"]);

    private static readonly RbacPolicy Policy = new(
        [],
        [
            RbacPolicyTests.ClusterRole("client-approver", null, null, $"approve,sign|certificates.k8s.io|signers|{ClientSigner}"),
            RbacPolicyTests.ClusterRole("all-kubernetes", null, null, "approve,sign|certificates.k8s.io|signers|kubernetes.io/*"),
            // Update on the subresources alone, which RBAC checks before admission: not enough for either plugin.
            RbacPolicyTests.ClusterRole("updater", null, null, "update|certificates.k8s.io|certificatesigningrequests/approval,certificatesigningrequests/status|"),
        ],
        [],
        [
            RbacPolicyTests.ClusterRoleBinding("approver", "client-approver", RbacPolicyTests.User("approver")),
            RbacPolicyTests.ClusterRoleBinding("wildcard", "all-kubernetes", RbacPolicyTests.User("wildcard")),
            RbacPolicyTests.ClusterRoleBinding("nobody", "updater", RbacPolicyTests.User("nobody")),
        ]);

    [Theory]
    [InlineData("approver", ClientSigner, true)]
    [InlineData("approver", ServingSigner, false)]
    [InlineData("wildcard", ServingSigner, true)]
    [InlineData("wildcard", "example.com/custom", false)]
    [InlineData("nobody", ClientSigner, false)]
    [InlineData("root", "example.com/custom", true)]
    public void Approval_NeedsApproveOnTheSigner_OrOnItsDomainsWildcard(string user, string signer, bool allowed)
    {
        var old = Csr("req", signer);

        var error = Record.Exception(() => CertificateApproval.Validate(Authorize, User(user), old));

        if (allowed)
        {
            Assert.Null(error);
        }
        else
        {
            var problem = Assert.IsType<ApiException>(error);
            Assert.Equal(403, problem.Code);
            Assert.Equal("Forbidden", problem.Status.Reason);
            Assert.Equal($"certificatesigningrequests.certificates.k8s.io \"req\" is forbidden: user not permitted to approve requests with signerName \"{signer}\"", problem.Message);
        }
    }

    [Fact]
    public void SignerWildcard_AsksForTheDomainAfterTheName()
    {
        var asked = new List<string>();

        var allowed = SignerAuthorization.IsAuthorized(a => { asked.Add($"{a.Verb} {a.ApiGroup}/{a.Resource} {a.Name} {a.Namespace}"); return false; }, Nobody, "sign", "example.com/my-signer");

        Assert.False(allowed);
        Assert.Equal(["sign certificates.k8s.io/signers example.com/my-signer ", "sign certificates.k8s.io/signers example.com/* "], asked);
    }

    [Fact]
    public void Signing_NeedsSign_WhenTheCertificateIsSetOrChanged()
    {
        var old = Csr("req", ServingSigner);
        var issued = Csr("req", ServingSigner);
        issued.Status = new V1CertificateSigningRequestStatus { Certificate = Encoding.ASCII.GetBytes("cert") };

        var denied = Assert.Throws<ApiException>(() => CertificateSigning.Validate(Authorize, Approver, issued, old));
        CertificateSigning.Validate(Authorize, Wildcard, issued, old);
        CertificateSigning.Validate(Authorize, Root, issued, old);

        Assert.Equal(403, denied.Code);
        Assert.Equal($"certificatesigningrequests.certificates.k8s.io \"req\" is forbidden: user not permitted to sign requests with signerName \"{ServingSigner}\"", denied.Message);
    }

    [Fact]
    public void Signing_NeedsSign_WhenConditionsChange_ButNotForAnUnchangedStatus()
    {
        var old = Csr("req", ClientSigner);
        old.Status = new V1CertificateSigningRequestStatus { Conditions = [Condition("Approved")] };
        var same = Csr("req", ClientSigner);
        same.Status = new V1CertificateSigningRequestStatus { Conditions = [Condition("Approved")] };
        var failed = Csr("req", ClientSigner);
        failed.Status = new V1CertificateSigningRequestStatus { Conditions = [Condition("Approved"), Condition("Failed")] };

        CertificateSigning.Validate(Authorize, Nobody, same, old);
        var denied = Assert.Throws<ApiException>(() => CertificateSigning.Validate(Authorize, Nobody, failed, old));
        CertificateSigning.Validate(Authorize, Approver, failed, old);

        Assert.Equal(403, denied.Code);
        // A missing list and an empty one are the same (apimachinery's semantic equality).
        CertificateSigning.Validate(Authorize, Nobody, new V1CertificateSigningRequest { Metadata = new V1ObjectMeta { Name = "x" }, Status = new V1CertificateSigningRequestStatus { Conditions = [] } }, Csr("x", ClientSigner));
    }

    [Theory]
    [InlineData(ClientSigner, new[] { "system:masters" }, true)]
    [InlineData(ClientSigner, new[] { "dev", "system:masters" }, true)]
    [InlineData(ClientSigner, new[] { "dev" }, false)]
    [InlineData("kubernetes.io/kube-apiserver-client-kubelet", new[] { "system:masters" }, false)]
    [InlineData("example.com/custom", new[] { "system:masters" }, false)]
    public void SubjectRestriction_RefusesSystemMasters_ForTheClientSignerOnly(string signer, string[] organizations, bool refused)
    {
        var csr = Csr("admin-please", signer, Request("mallory", organizations));

        var error = Record.Exception(() => CertificateSubjectRestriction.Validate(csr));

        if (refused)
        {
            var problem = Assert.IsType<ApiException>(error);
            Assert.Equal(403, problem.Code);
            Assert.Equal("certificatesigningrequests.certificates.k8s.io \"admin-please\" is forbidden: use of kubernetes.io/kube-apiserver-client signer with system:masters group is not allowed", problem.Message);
        }
        else
        {
            Assert.Null(error);
        }
    }

    [Fact]
    public void SubjectRestriction_AnUnparsableRequest_IsForbidden()
    {
        var error = Assert.Throws<ApiException>(() => CertificateSubjectRestriction.Validate(Csr("bad", ClientSigner, Encoding.ASCII.GetBytes("not a pem"))));

        Assert.Equal(403, error.Code);
        Assert.StartsWith("certificatesigningrequests.certificates.k8s.io \"bad\" is forbidden: failed to parse CSR: ", error.Message, StringComparison.Ordinal);
    }

    private static bool Authorize(RequestAttributes request) => Policy.Authorize(request).Allowed;

    private static UserInfo User(string name) => name switch
    {
        "approver" => Approver,
        "wildcard" => Wildcard,
        "root" => Root,
        _ => Nobody,
    };

    private static V1CertificateSigningRequestCondition Condition(string type) =>
        new() { Type = type, Status = "True", LastUpdateTime = new DateTime(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc) };

    private static V1CertificateSigningRequest Csr(string name, string signer, byte[]? request = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = name },
        Spec = new V1CertificateSigningRequestSpec { SignerName = signer, Request = request ?? Request("someone", []), Usages = ["client auth"] },
    };

    private static byte[] Request(string commonName, string[] organizations)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var subject = new X500DistinguishedNameBuilder();
        foreach (var organization in organizations)
        {
            subject.AddOrganizationName(organization);
        }

        subject.AddCommonName(commonName);
        return Encoding.ASCII.GetBytes(new CertificateRequest(subject.Build(), key, HashAlgorithmName.SHA256).CreateSigningRequestPem());
    }
}
