using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Cetus.ApiServer.Security;

/// <summary>The PEM files of the cluster PKI: <c>{name}.crt</c> (mode 0644) and <c>{name}.key</c> (mode 0600).</summary>
internal sealed class PkiFiles(string directory)
{
    public const string Ca = "ca";
    public const string Serving = "serving";
    public const string Admin = "admin";

    private const UnixFileMode PublicFile = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    public string Directory { get; } = Path.GetFullPath(directory);

    public string CertificatePath(string name) => Path.Combine(Directory, name + ".crt");

    public string KeyPath(string name) => Path.Combine(Directory, name + ".key");

    /// <summary>
    /// The CA with its key, or null when it was never completely written (no certificate file). A CA that exists but
    /// cannot be read is an error, not something to replace: a new CA would invalidate every credential issued.
    /// </summary>
    public X509Certificate2? LoadCertificateAuthority()
    {
        var certificate = CertificatePath(Ca);
        var key = KeyPath(Ca);
        if (!File.Exists(certificate))
        {
            return null;
        }

        try
        {
            return X509Certificate2.CreateFromPemFile(certificate, key);
        }
        catch (Exception e) when (e is CryptographicException or IOException)
        {
            throw new InvalidOperationException($"the cluster CA in {Directory} cannot be loaded: {e.Message}", e);
        }
    }

    /// <summary>A certificate with its key, or null when missing or unreadable (it is then issued anew).</summary>
    public X509Certificate2? Load(string name)
    {
        try
        {
            return X509Certificate2.CreateFromPemFile(CertificatePath(name), KeyPath(name));
        }
        catch (Exception e) when (e is CryptographicException or IOException)
        {
            return null;
        }
    }

    /// <summary>Writes a certificate and its key; the key first, so the certificate file only exists once both are written.</summary>
    public void Save(string name, X509Certificate2 certificate)
    {
        var pem = CertificateFactory.ToPem(certificate);
        SecureFile.Write(KeyPath(name), pem.KeyPem);
        SecureFile.Write(CertificatePath(name), pem.CertificatePem, PublicFile);
    }
}
