using Cetus.Api.Json;
using Cetus.ApiServer.Authorization;
using Cetus.ApiServer.Errors;
using Cetus.ApiServer.Security;
using k8s.Models;

namespace Cetus.ApiServer.Admission.Certificates;

/// <summary>
/// The CertificateSigning admission plugin (plugin/pkg/admission/certificates/signing): an update of
/// <c>certificatesigningrequests/status</c> that changes <c>status.certificate</c> or <c>status.conditions</c> needs
/// the verb <c>sign</c> on the request's (stored) signer. A status write that changes neither is not checked.
/// </summary>
internal static class CertificateSigning
{
    /// <summary>The plugin's name (kube-apiserver's --disable-admission-plugins takes it).</summary>
    public const string Name = "CertificateSigning";

    /// <summary>Throws 403 when the write changes the certificate or conditions and the user may not sign for the signer.</summary>
    public static void Validate(Func<RequestAttributes, bool> authorize, UserInfo user, V1CertificateSigningRequest csr, V1CertificateSigningRequest old)
    {
        ArgumentNullException.ThrowIfNull(csr);
        ArgumentNullException.ThrowIfNull(old);
        if (SameCertificate(csr.Status?.Certificate, old.Status?.Certificate) && SameConditions(csr.Status?.Conditions, old.Status?.Conditions))
        {
            return;
        }

        var signer = old.Spec?.SignerName ?? string.Empty;
        if (!SignerAuthorization.IsAuthorized(authorize, user, "sign", signer))
        {
            throw Problems.Forbidden(SignerAuthorization.Group, "certificatesigningrequests", old.Metadata.Name,
                $"user not permitted to sign requests with signerName \"{signer}\"");
        }
    }

    private static bool SameCertificate(byte[]? a, byte[]? b) => (a ?? []).AsSpan().SequenceEqual(b ?? []);

    // apimachinery's semantic equality: a missing list equals an empty one, and times compare by their wire form.
    private static bool SameConditions(IList<V1CertificateSigningRequestCondition>? a, IList<V1CertificateSigningRequestCondition>? b) =>
        KubeJson.Serialize(a ?? []).AsSpan().SequenceEqual(KubeJson.Serialize(b ?? []));
}
