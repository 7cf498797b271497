using Cetus.ApiServer.Authorization;
using Cetus.ApiServer.Security;

namespace Cetus.ApiServer.Admission.Certificates;

/// <summary>
/// Whether a user may act on a signer (upstream's certauthorization.IsAuthorizedForSignerName): the verb on the
/// synthetic resource <c>signers</c> of certificates.k8s.io named by the signer, or else named by the wildcard of its
/// domain (<c>kubernetes.io/*</c> for <c>kubernetes.io/kubelet-serving</c>).
/// </summary>
internal static class SignerAuthorization
{
    /// <summary>The API group of the synthetic resource.</summary>
    public const string Group = "certificates.k8s.io";

    /// <summary>The synthetic resource RBAC rules name to grant <c>approve</c> and <c>sign</c>.</summary>
    public const string Resource = "signers";

    /// <summary>True when <paramref name="authorize"/> allows <paramref name="verb"/> on the signer or its domain's wildcard.</summary>
    public static bool IsAuthorized(Func<RequestAttributes, bool> authorize, UserInfo user, string verb, string signerName)
    {
        ArgumentNullException.ThrowIfNull(authorize);
        if (authorize(Attributes(user, verb, signerName)))
        {
            return true;
        }

        var slash = signerName.IndexOf('/', StringComparison.Ordinal);
        var domain = slash < 0 ? signerName : signerName[..slash];
        return authorize(Attributes(user, verb, domain + "/*"));
    }

    private static RequestAttributes Attributes(UserInfo user, string verb, string name) =>
        RequestAttributes.ForResource(user, verb, Group, Resource, string.Empty, name) with { ApiVersion = "*" };
}
