using Cetus.Api.Resources.CertificateSigningRequests;
using Cetus.ApiServer.Errors;
using k8s.Models;

namespace Cetus.ApiServer.Admission.Certificates;

/// <summary>
/// The CertificateSubjectRestriction admission plugin (plugin/pkg/admission/certificates/subjectrestriction): a
/// created request for the signer <c>kubernetes.io/kube-apiserver-client</c> may not ask for the group
/// <c>system:masters</c> (an organization of its subject), which would bypass authorization altogether.
/// </summary>
internal static class CertificateSubjectRestriction
{
    /// <summary>The plugin's name (kube-apiserver's --disable-admission-plugins takes it).</summary>
    public const string Name = "CertificateSubjectRestriction";

    private const string Signer = "kubernetes.io/kube-apiserver-client";
    private const string OrganizationOid = "2.5.4.10";

    /// <summary>Throws 403 for a kube-apiserver-client request with organization system:masters.</summary>
    public static void Validate(V1CertificateSigningRequest csr)
    {
        ArgumentNullException.ThrowIfNull(csr);
        if (csr.Spec?.SignerName != Signer)
        {
            return;
        }

        var name = csr.Metadata?.Name ?? string.Empty;
        var (request, error) = CertificateSigningRequestValidation.ParseRequest(csr.Spec.Request);
        if (request is null)
        {
            throw Problems.Forbidden(SignerAuthorization.Group, "certificatesigningrequests", name, "failed to parse CSR: " + error);
        }

        // Multi-valued RDNs are skipped as the client-certificate authenticator skips them: they never make a group.
        var masters = request.SubjectName.EnumerateRelativeDistinguishedNames()
            .Where(rdn => !rdn.HasMultipleElements)
            .Any(rdn => rdn.GetSingleElementType().Value == OrganizationOid && rdn.GetSingleElementValue() == "system:masters");
        if (masters)
        {
            throw Problems.Forbidden(SignerAuthorization.Group, "certificatesigningrequests", name,
                $"use of {Signer} signer with system:masters group is not allowed");
        }
    }
}
