using System.Security.Cryptography.X509Certificates;

namespace Cetus.ApiServer.Security;

/// <summary>A certificate and its private key, both PEM-encoded, as kubeconfig files and agents take them.</summary>
/// <param name="CertificatePem">The certificate (<c>-----BEGIN CERTIFICATE-----</c>).</param>
/// <param name="KeyPem">The PKCS#8 private key (<c>-----BEGIN PRIVATE KEY-----</c>).</param>
public sealed record IssuedCertificate(string CertificatePem, string KeyPem)
{
    /// <summary>Loads the pair as a certificate with its private key, e.g. to present it as a TLS client.</summary>
    public X509Certificate2 ToCertificate() => X509Certificate2.CreateFromPem(CertificatePem, KeyPem);
}
