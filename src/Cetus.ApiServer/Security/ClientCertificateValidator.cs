using System.Security.Cryptography.X509Certificates;

namespace Cetus.ApiServer.Security;

/// <summary>
/// Authenticates TLS client certificates as kube-apiserver's <c>--client-ca-file</c> does: the certificate must chain to
/// the cluster CA (and only to it; revocation is not checked), be within its validity period and be usable for client
/// authentication; the user name is the subject's CN and the groups are its O values.
/// </summary>
/// <remarks>
/// Like Go's x509 verification, a certificate without an extended key usage extension may be used for anything, so it
/// passes the usage check; one that lists usages must list clientAuth.
/// </remarks>
public sealed class ClientCertificateValidator
{
    private const string CommonNameOid = "2.5.4.3";
    private const string OrganizationOid = "2.5.4.10";

    private readonly X509Certificate2 _ca;
    private readonly TimeProvider _time;

    /// <summary>A validator trusting <paramref name="clusterCa"/> alone.</summary>
    public ClientCertificateValidator(X509Certificate2 clusterCa, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(clusterCa);
        _ca = clusterCa;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>Checks <paramref name="certificate"/> and returns its user or the reason it is refused.</summary>
    public ClientCertificateResult Validate(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        var problems = ClusterTrust.Problems(certificate, _ca, _time.GetUtcNow(), CertificateFactory.ClientAuth);
        if (problems.Count > 0)
        {
            return ClientCertificateResult.Rejected(string.Join("; ", problems));
        }

        string? commonName = null;
        var groups = new List<string>();
        foreach (var rdn in certificate.SubjectName.EnumerateRelativeDistinguishedNames())
        {
            if (rdn.HasMultipleElements)
            {
                continue;
            }

            var value = rdn.GetSingleElementValue();
            switch (rdn.GetSingleElementType().Value)
            {
                case CommonNameOid:
                    commonName ??= value;
                    break;
                case OrganizationOid when !string.IsNullOrEmpty(value):
                    groups.Add(value);
                    break;
            }
        }

        return string.IsNullOrEmpty(commonName)
            ? ClientCertificateResult.Rejected("the certificate subject has no common name")
            : ClientCertificateResult.Accepted(new UserInfo(commonName, "", groups));
    }
}
