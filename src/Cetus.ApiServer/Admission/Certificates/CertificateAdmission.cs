using Cetus.ApiServer.Authorization;
using Cetus.ApiServer.Handlers;
using Cetus.ApiServer.Http;
using k8s;
using k8s.Models;

namespace Cetus.ApiServer.Admission.Certificates;

/// <summary>
/// Runs the three certificates.k8s.io admission plugins on writes of CertificateSigningRequests, after validation
/// as upstream's validating admission: <see cref="CertificateSubjectRestriction"/> on create,
/// <see cref="CertificateApproval"/> on <c>/approval</c>, <see cref="CertificateSigning"/> on <c>/status</c>.
/// A plugin named in <see cref="ApiServerOptions.DisabledAdmissionPlugins"/> does not run.
/// </summary>
internal sealed class CertificateAdmission(RbacAuthorizer authorizer, ApiServerOptions options)
{
    /// <summary>Throws 403 Forbidden when a plugin refuses the write of <paramref name="item"/> over <paramref name="old"/>.</summary>
    public void Admit(ResourceRequest request, IKubernetesObject<V1ObjectMeta> item, IKubernetesObject<V1ObjectMeta>? old)
    {
        if (item is not V1CertificateSigningRequest csr)
        {
            return;
        }

        var subresource = request.Info.Subresource;
        if (old is null)
        {
            if (subresource.Length == 0 && Enabled(CertificateSubjectRestriction.Name))
            {
                CertificateSubjectRestriction.Validate(csr);
            }

            return;
        }

        if (old is not V1CertificateSigningRequest stored || Authentication.UserOf(request.Http) is not { } user)
        {
            return;
        }

        if (subresource == "approval" && Enabled(CertificateApproval.Name))
        {
            CertificateApproval.Validate(Authorize, user, stored);
        }
        else if (subresource == "status" && Enabled(CertificateSigning.Name))
        {
            CertificateSigning.Validate(Authorize, user, csr, stored);
        }
    }

    private bool Authorize(RequestAttributes attributes) => authorizer.Authorize(attributes).Allowed;

    private bool Enabled(string plugin) => !options.DisabledAdmissionPlugins.Contains(plugin);
}
