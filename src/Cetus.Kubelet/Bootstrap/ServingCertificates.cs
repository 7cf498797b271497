using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using k8s;

namespace Cetus.Kubelet.Bootstrap;

/// <summary>What the kubelet's serving certificate is for and where it is kept.</summary>
public sealed record ServingCertificateOptions
{
    /// <summary>The node's name: the certificate is for <c>system:node:NAME</c>.</summary>
    public required string NodeName { get; init; }

    /// <summary>The DNS names the certificate covers (the node's name, the host's name).</summary>
    public required IReadOnlyList<string> DnsNames { get; init; }

    /// <summary>The IP addresses the certificate covers (the node's address, which the API server dials).</summary>
    public required IReadOnlyList<IPAddress> IPAddresses { get; init; }

    /// <summary>Where the key and the certificate are kept (the kubelet's root directory).</summary>
    public required string Directory { get; init; }

    /// <summary>How long to wait for the certificate to be approved and issued.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>The clock (validity of an existing certificate, polling).</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>The certificate's user: <c>system:node:NAME</c>.</summary>
    public string User => "system:node:" + NodeName;
}

/// <summary>
/// The kubelet's serving certificate through the API server, as the kubelet's serverTLSBootstrap: an ECDSA P-256 key
/// kept in <c>DIR/kubelet-server.key</c> (0600, reused), a CertificateSigningRequest of signer
/// <c>kubernetes.io/kubelet-serving</c> for <c>CN=system:node:NAME, O=system:nodes</c> with the node's DNS names and IP
/// addresses and usages digital signature + server auth, made with the node's own client; the issued certificate is
/// kept in <c>DIR/kubelet-server.crt</c> and used again while it is for the same key and names and has more than a
/// fifth of its lifetime left.
/// </summary>
public static class ServingCertificates
{
    /// <summary>The serving key in the directory.</summary>
    public const string KeyFile = "kubelet-server.key";

    /// <summary>The issued serving certificate in the directory.</summary>
    public const string CertificateFile = "kubelet-server.crt";

    /// <summary>The signer of kubelet serving certificates.</summary>
    public const string SignerName = "kubernetes.io/kubelet-serving";

    /// <summary>The usages asked for: an ECDSA key has no use for key encipherment.</summary>
    public static readonly IReadOnlyList<string> Usages = ["digital signature", "server auth"];

    /// <summary>
    /// The node's serving certificate with its key: the one in the directory when it is still current, otherwise a
    /// new one requested through <paramref name="client"/> (acting as the node). Throws
    /// <see cref="NodeBootstrapException"/> with the reason when it cannot get one.
    /// </summary>
    public static async Task<X509Certificate2> EnsureAsync(IKubernetes client, ServingCertificateOptions options, Action<string>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(options);
        Directory.CreateDirectory(options.Directory);
        var keyPath = Path.Combine(options.Directory, KeyFile);
        var certificatePath = Path.Combine(options.Directory, CertificateFile);
        using var key = CertificateRequester.LoadOrCreateKey(keyPath);
        var previous = Existing(certificatePath);
        if (previous is not null && IsCurrent(previous, key, options))
        {
            progress?.Invoke($"using the kubelet serving certificate in {certificatePath} (valid until {previous.NotAfter.ToUniversalTime():yyyy-MM-ddTHH:mm:ssZ})");
            return previous.CopyWithPrivateKey(key);
        }

        // Named after the key, the names and the certificate it replaces: a restart while waiting finds its request again, a renewal makes a new one.
        var name = CertificateRequester.Name("kubelet-serving-", key, [options.User, .. options.DnsNames, .. options.IPAddresses.Select(a => a.ToString()), previous?.Thumbprint ?? string.Empty]);
        previous?.Dispose();
        var pem = Request(key, options).CreateSigningRequestPem();
        var csr = await CertificateRequester.CreateAsync(client, name, pem, SignerName, [.. Usages], CertificateRequester.ExplainForNode, cancellationToken).ConfigureAwait(false);
        progress?.Invoke($"kubelet serving certificate signing request {name} sent for {options.User} ({string.Join(", ", [.. options.DnsNames, .. options.IPAddresses.Select(a => a.ToString())])}); waiting for it to be issued");
        var issuedPem = await CertificateRequester.WaitForCertificateAsync(client, csr, options.Timeout, options.Time, CertificateRequester.ExplainForNode, cancellationToken).ConfigureAwait(false);

        using var issued = X509Certificate2.CreateFromPem(issuedPem);
        if (!IsCurrent(issued, key, options))
        {
            throw new NodeBootstrapException($"the certificate issued for {name} is not for this key and these names, or not valid now");
        }

        CertificateRequester.WritePrivate(certificatePath, issuedPem);
        progress?.Invoke($"kubelet serving certificate issued: {certificatePath} (valid until {issued.NotAfter.ToUniversalTime():yyyy-MM-ddTHH:mm:ssZ})");
        return issued.CopyWithPrivateKey(key);
    }

    /// <summary>The certificate request: <c>CN=system:node:NAME, O=system:nodes</c> with the node's DNS names and IP addresses.</summary>
    public static CertificateRequest Request(ECDsa key, ServingCertificateOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var request = new CertificateRequest(new X500DistinguishedName($"O=system:nodes, CN={options.User}"), key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        foreach (var dns in options.DnsNames.Distinct(StringComparer.Ordinal))
        {
            names.AddDnsName(dns);
        }

        foreach (var address in options.IPAddresses.Distinct())
        {
            names.AddIpAddress(address);
        }

        request.CertificateExtensions.Add(names.Build());
        return request;
    }

    /// <summary>
    /// Whether <paramref name="certificate"/> can go on serving: for <c>system:node:NAME</c> and <paramref name="key"/>,
    /// with exactly the wanted DNS names and IP addresses, and more than 20 % of its lifetime left.
    /// </summary>
    public static bool IsCurrent(X509Certificate2 certificate, ECDsa key, ServingCertificateOptions options)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(options);
        if (certificate.GetNameInfo(X509NameType.SimpleName, false) != options.User
            || !certificate.PublicKey.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(key.ExportSubjectPublicKeyInfo()))
        {
            return false;
        }

        var names = certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().FirstOrDefault();
        if (names is null
            || !names.EnumerateDnsNames().ToHashSet(StringComparer.Ordinal).SetEquals(options.DnsNames)
            || !names.EnumerateIPAddresses().ToHashSet().SetEquals(options.IPAddresses))
        {
            return false;
        }

        return CertificateRequester.HasLifeLeft(certificate.NotBefore, certificate.NotAfter, options.Time);
    }

    private static X509Certificate2? Existing(string path)
    {
        try
        {
            return File.Exists(path) ? X509Certificate2.CreateFromPem(File.ReadAllText(path)) : null;
        }
        catch (CryptographicException)
        {
            // Unreadable: a new certificate is requested and the file replaced.
            return null;
        }
    }
}
