using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Cetus.Controllers.CertificateSigning;

/// <summary>Reads a signing CA from a PEM certificate file and a PEM key file (--cluster-signing-cert-file and key-file).</summary>
public static class SigningAuthority
{
    /// <summary>
    /// The certificate of <paramref name="certificateFile"/> with the private key of <paramref name="keyFile"/> (RSA or
    /// ECDSA; PKCS#1, SEC1 or PKCS#8). Throws <see cref="InvalidDataException"/> naming the file when a file is
    /// missing or unreadable, or when the key is not the certificate's.
    /// </summary>
    public static X509Certificate2 Load(string certificateFile, string keyFile)
    {
        ArgumentException.ThrowIfNullOrEmpty(certificateFile);
        ArgumentException.ThrowIfNullOrEmpty(keyFile);
        foreach (var file in new[] { certificateFile, keyFile })
        {
            if (!File.Exists(file))
            {
                throw new InvalidDataException($"{file}: no such file");
            }
        }

        X509Certificate2 certificate;
        try
        {
            certificate = X509Certificate2.CreateFromPemFile(certificateFile, keyFile);
        }
        catch (CryptographicException e)
        {
            throw new InvalidDataException($"{certificateFile} and {keyFile} are not a PEM certificate and its private key: {e.Message}", e);
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"{certificateFile} and {keyFile} are not a PEM certificate and its private key: {e.Message}", e);
        }

        if (certificate.Extensions.OfType<X509BasicConstraintsExtension>().FirstOrDefault() is { CertificateAuthority: false })
        {
            certificate.Dispose();
            throw new InvalidDataException($"{certificateFile} is not a CA certificate (basic constraints CA:FALSE)");
        }

        return certificate;
    }
}
