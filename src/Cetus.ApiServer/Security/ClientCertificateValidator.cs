using System.Collections.Concurrent;
using System.Security.Cryptography;
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

    private const int CacheLimit = 4096;

    private readonly X509Certificate2 _ca;
    private readonly TimeProvider _time;

    // Certificates already accepted, by SHA-256 of their bytes: building the chain again for every request of a
    // connection cost about 7 % of the server's CPU. A hit still checks the validity period against the clock.
    private readonly ConcurrentDictionary<string, (UserInfo User, DateTime NotBefore, DateTime NotAfter)> _accepted = new(StringComparer.Ordinal);

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
        var key = Convert.ToHexString(certificate.GetCertHash(HashAlgorithmName.SHA256));
        var now = _time.GetUtcNow().UtcDateTime;
        if (_accepted.TryGetValue(key, out var known))
        {
            if (now >= known.NotBefore && now <= known.NotAfter)
            {
                return ClientCertificateResult.Accepted(known.User);
            }

            _accepted.TryRemove(key, out _);
        }

        var result = ValidateUncached(certificate);
        if (result.User is { } user)
        {
            if (_accepted.Count >= CacheLimit)
            {
                _accepted.Clear();
            }

            _accepted[key] = (user, certificate.NotBefore.ToUniversalTime(), certificate.NotAfter.ToUniversalTime());
        }

        return result;
    }

    private ClientCertificateResult ValidateUncached(X509Certificate2 certificate)
    {
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
