using Cetus.ApiServer.Authorization;
using Cetus.ApiServer.Errors;
using Cetus.ApiServer.Security;
using k8s.Models;

namespace Cetus.ApiServer.Admission.Certificates;

/// <summary>
/// The CertificateApproval admission plugin (plugin/pkg/admission/certificates/approval): an update of
/// <c>certificatesigningrequests/approval</c> needs the verb <c>approve</c> on the request's signer
/// (<see cref="SignerAuthorization"/>). The signer is the stored one, so a request cannot name another signer to pass.
/// </summary>
internal static class CertificateApproval
{
    /// <summary>The plugin's name (kube-apiserver's --disable-admission-plugins takes it).</summary>
    public const string Name = "CertificateApproval";

    /// <summary>Throws 403 when <paramref name="user"/> may not approve requests of <paramref name="old"/>'s signer.</summary>
    public static void Validate(Func<RequestAttributes, bool> authorize, UserInfo user, V1CertificateSigningRequest old)
    {
        ArgumentNullException.ThrowIfNull(old);
        var signer = old.Spec?.SignerName ?? string.Empty;
        if (!SignerAuthorization.IsAuthorized(authorize, user, "approve", signer))
        {
            throw Problems.Forbidden(SignerAuthorization.Group, "certificatesigningrequests", old.Metadata.Name,
                $"user not permitted to approve requests with signerName \"{signer}\"");
        }
    }
}
