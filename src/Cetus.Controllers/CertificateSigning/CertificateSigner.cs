using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Cetus.Controllers.Common;

namespace Cetus.Controllers.CertificateSigning;

/// <summary>
/// Signs certificate requests with a CA as kube-controller-manager's local signer does
/// (pkg/controller/certificates/signer and authority): the request's subject, public key and subject alternative names;
/// key usages and extended key usages from the CSR's usages; valid from five minutes ago for the signer's duration
/// (<c>--cluster-signing-duration</c>), or for the CSR's <c>spec.expirationSeconds</c> when shorter (at least ten
/// minutes); never past the CA's own expiry.
/// </summary>
public sealed class CertificateSigner
{
    /// <summary>The longest lifetime, and the lifetime when the CSR asks for none (--cluster-signing-duration: 8760h).</summary>
    public static readonly TimeSpan DefaultDuration = TimeSpan.FromDays(365);

    /// <summary>The shortest lifetime issued, whatever <c>spec.expirationSeconds</c> asks (twice the backdating).</summary>
    public static readonly TimeSpan MinimumDuration = TimeSpan.FromMinutes(10);

    // As upstream: certificates start in the past so that a node whose clock lags a little accepts them.
    private static readonly TimeSpan Backdate = TimeSpan.FromMinutes(5);

    // Below this lifetime the end is not moved back with the start (5 minutes are about 1 % of 8 hours).
    private static readonly TimeSpan Short = TimeSpan.FromHours(8);

    private readonly X509Certificate2 _ca;
    private readonly TimeSpan _duration;
    private readonly TimeProvider _time;

    /// <summary>Creates a signer over a CA certificate that holds its private key.</summary>
    public CertificateSigner(X509Certificate2 ca, TimeSpan? duration = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(ca);
        if (!ca.HasPrivateKey)
        {
            throw new ArgumentException("the CA certificate has no private key", nameof(ca));
        }

        if (duration is { } given && given <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(duration), "the signing duration must be positive");
        }

        _ca = ca;
        _duration = duration ?? DefaultDuration;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>The CA's certificate in PEM.</summary>
    public string CaPem => _ca.ExportCertificatePem() + "\n";

    /// <summary>
    /// The lifetime of a certificate for a CSR asking <paramref name="expirationSeconds"/> (upstream's signer.duration):
    /// the signer's duration when it asks none or more, and never less than <see cref="MinimumDuration"/>.
    /// </summary>
    public TimeSpan Lifetime(int? expirationSeconds)
    {
        if (expirationSeconds is not { } seconds)
        {
            return _duration;
        }

        var asked = TimeSpan.FromSeconds(seconds);
        return asked > _duration ? _duration : asked < MinimumDuration ? MinimumDuration : asked;
    }

    /// <summary>Signs <paramref name="request"/> for the CSR's usages; the certificate in PEM.</summary>
    public string Sign(CertificateRequest request, IEnumerable<string> usages, int? expirationSeconds)
    {
        ArgumentNullException.ThrowIfNull(request);
        var now = _time.GetUtcNow();
        var lifetime = Lifetime(expirationSeconds);
        var notBefore = now - Backdate;
        var notAfter = lifetime < Short ? now + lifetime : notBefore + lifetime;
        var caNotAfter = new DateTimeOffset(_ca.NotAfter.ToUniversalTime(), TimeSpan.Zero);
        if (now >= caNotAfter)
        {
            throw new InvalidOperationException($"refusing to sign a certificate that expired in the past: NotAfter={caNotAfter:u}");
        }

        if (notAfter > caNotAfter)
        {
            notAfter = caNotAfter;
        }

        var subjectAlternativeNames = request.CertificateExtensions.FirstOrDefault(e => e.Oid?.Value == "2.5.29.17");
        var certificate = new CertificateRequest(request.SubjectName, request.PublicKey, HashAlgorithmName.SHA256);
        certificate.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, critical: true));
        var (keyUsages, extendedUsages) = Usages(usages);
        if (keyUsages != X509KeyUsageFlags.None)
        {
            certificate.CertificateExtensions.Add(new X509KeyUsageExtension(keyUsages, critical: true));
        }

        if (extendedUsages.Count > 0)
        {
            certificate.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(extendedUsages, critical: false));
        }

        if (subjectAlternativeNames is not null)
        {
            certificate.CertificateExtensions.Add(new X509Extension(subjectAlternativeNames.Oid!, subjectAlternativeNames.RawData, critical: false));
        }

        // As Go's x509: the authority key id is the CA's subject key id, when it has one.
        if (_ca.Extensions.OfType<X509SubjectKeyIdentifierExtension>().Any())
        {
            certificate.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(_ca, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        }

        // .NET refuses a certificate that starts before its issuer (Go does not): a CA made a minute ago still signs.
        var caNotBefore = new DateTimeOffset(_ca.NotBefore.ToUniversalTime(), TimeSpan.Zero);
        // The CA's key may be of another algorithm than the request's (an RSA --cluster-signing-cert-file, an ECDSA node
        // key): sign with a generator for the CA's key; RSA with PKCS#1 v1.5 as Go's x509 does.
        using var rsa = _ca.GetRSAPrivateKey();
        using var ecdsa = rsa is null ? _ca.GetECDsaPrivateKey() : null;
        var generator = rsa is not null ? X509SignatureGenerator.CreateForRSA(rsa, RSASignaturePadding.Pkcs1)
            : ecdsa is not null ? X509SignatureGenerator.CreateForECDsa(ecdsa)
            : throw new InvalidOperationException("the signing CA's key is neither RSA nor ECDSA");
        using var signed = certificate.Create(_ca.SubjectName, generator, notBefore < caNotBefore ? caNotBefore : notBefore, notAfter, SerialNumber());
        return signed.ExportCertificatePem() + "\n";
    }

    /// <summary>The x509 key usages and extended key usages of a CSR's usages (upstream's keyUsagesFromStrings).</summary>
    public static (X509KeyUsageFlags KeyUsages, OidCollection Extended) Usages(IEnumerable<string> usages)
    {
        var flags = X509KeyUsageFlags.None;
        var extended = new OidCollection();
        foreach (var usage in usages)
        {
            switch (usage)
            {
                case "signing": case "digital signature": flags |= X509KeyUsageFlags.DigitalSignature; break;
                case "content commitment": flags |= X509KeyUsageFlags.NonRepudiation; break;
                case "key encipherment": flags |= X509KeyUsageFlags.KeyEncipherment; break;
                case "key agreement": flags |= X509KeyUsageFlags.KeyAgreement; break;
                case "data encipherment": flags |= X509KeyUsageFlags.DataEncipherment; break;
                case "cert sign": flags |= X509KeyUsageFlags.KeyCertSign; break;
                case "crl sign": flags |= X509KeyUsageFlags.CrlSign; break;
                case "encipher only": flags |= X509KeyUsageFlags.EncipherOnly; break;
                case "decipher only": flags |= X509KeyUsageFlags.DecipherOnly; break;
                case "any": extended.Add(new Oid("2.5.29.37.0")); break;
                case "server auth": extended.Add(new Oid("1.3.6.1.5.5.7.3.1")); break;
                case "client auth": extended.Add(new Oid("1.3.6.1.5.5.7.3.2")); break;
                case "code signing": extended.Add(new Oid("1.3.6.1.5.5.7.3.3")); break;
                case "email protection": case "s/mime": extended.Add(new Oid("1.3.6.1.5.5.7.3.4")); break;
                case "ipsec end system": extended.Add(new Oid("1.3.6.1.5.5.7.3.5")); break;
                case "ipsec tunnel": extended.Add(new Oid("1.3.6.1.5.5.7.3.6")); break;
                case "ipsec user": extended.Add(new Oid("1.3.6.1.5.5.7.3.7")); break;
                case "timestamping": extended.Add(new Oid("1.3.6.1.5.5.7.3.8")); break;
                case "ocsp signing": extended.Add(new Oid("1.3.6.1.5.5.7.3.9")); break;
                case "microsoft sgc": extended.Add(new Oid("1.3.6.1.4.1.311.10.3.3")); break;
                case "netscape sgc": extended.Add(new Oid("2.16.840.1.113730.4.1")); break;
            }
        }

        return (flags, extended);
    }

    private static byte[] SerialNumber()
    {
        var bytes = RandomNumberGenerator.GetBytes(16);
        bytes[0] &= 0x7F;
        bytes[0] |= 0x01;
        return bytes;
    }
}
