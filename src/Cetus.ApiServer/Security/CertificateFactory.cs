using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Cetus.ApiServer.Security;

/// <summary>Makes the cluster's certificates: ECDSA P-256 keys, which Go's TLS stack (kubectl, client-go) accepts.</summary>
internal static class CertificateFactory
{
    /// <summary>The serverAuth extended key usage.</summary>
    public static readonly Oid ServerAuth = new("1.3.6.1.5.5.7.3.1", "Server Authentication");

    /// <summary>The clientAuth extended key usage.</summary>
    public static readonly Oid ClientAuth = new("1.3.6.1.5.5.7.3.2", "Client Authentication");

    // Certificates start a little in the past so a node whose clock lags the server's still accepts them.
    private static readonly TimeSpan Backdate = TimeSpan.FromMinutes(5);

    /// <summary>A self-signed CA that may sign certificates (keyCertSign) and revocation lists.</summary>
    public static X509Certificate2 CreateCertificateAuthority(string commonName, DateTimeOffset now, TimeSpan lifetime)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(Subject(commonName, []), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(X509BasicConstraintsExtension.CreateForCertificateAuthority());
        request.CertificateExtensions.Add(new X509KeyUsageExtension(
            X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign | X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        return request.CreateSelfSigned(now - Backdate, now + lifetime);
    }

    /// <summary>A TLS server certificate for <paramref name="names"/>, signed by <paramref name="ca"/>.</summary>
    public static X509Certificate2 CreateServing(
        X509Certificate2 ca, string commonName, SubjectAlternativeNames names, DateTimeOffset now, TimeSpan lifetime)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(Subject(commonName, []), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(names.ToExtension());
        return Sign(request, key, ca, ServerAuth, now, lifetime);
    }

    /// <summary>A TLS client certificate for user <paramref name="commonName"/> in groups <paramref name="organizations"/>.</summary>
    public static X509Certificate2 CreateClient(
        X509Certificate2 ca, string commonName, IEnumerable<string> organizations, DateTimeOffset now, TimeSpan lifetime)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(Subject(commonName, organizations), key, HashAlgorithmName.SHA256);
        return Sign(request, key, ca, ClientAuth, now, lifetime);
    }

    /// <summary>The PEM pair of a certificate that holds its ECDSA private key.</summary>
    public static IssuedCertificate ToPem(X509Certificate2 certificate)
    {
        using var key = certificate.GetECDsaPrivateKey()
            ?? throw new ArgumentException("the certificate has no ECDSA private key", nameof(certificate));
        return new IssuedCertificate(certificate.ExportCertificatePem() + "\n", key.ExportPkcs8PrivateKeyPem() + "\n");
    }

    private static X509Certificate2 Sign(
        CertificateRequest request, ECDsa key, X509Certificate2 ca, Oid usage, DateTimeOffset now, TimeSpan lifetime)
    {
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(
            X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([usage], critical: false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, includeKeyIdentifier: true, includeIssuerAndSerial: false));

        // A certificate cannot outlive its issuer.
        var notAfter = now + lifetime;
        var caNotAfter = new DateTimeOffset(ca.NotAfter.ToUniversalTime(), TimeSpan.Zero);
        if (notAfter > caNotAfter)
        {
            notAfter = caNotAfter;
        }

        using var signed = request.Create(ca, now - Backdate, notAfter, SerialNumber());
        return signed.CopyWithPrivateKey(key);
    }

    private static X500DistinguishedName Subject(string commonName, IEnumerable<string> organizations)
    {
        var builder = new X500DistinguishedNameBuilder();
        foreach (var organization in organizations)
        {
            builder.AddOrganizationName(organization);
        }

        builder.AddCommonName(commonName);
        return builder.Build();
    }

    private static byte[] SerialNumber()
    {
        // 128 random bits, positive: RFC 5280 wants serials unique per CA and at most 20 bytes.
        var bytes = RandomNumberGenerator.GetBytes(16);
        bytes[0] &= 0x7F;
        if (bytes[0] == 0)
        {
            bytes[0] = 0x01;
        }

        return bytes;
    }
}
