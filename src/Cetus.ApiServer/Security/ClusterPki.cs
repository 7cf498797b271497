using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Cetus.ApiServer.Security;

/// <summary>
/// The cluster's certificates under <c>{dataDir}/tls/</c>: a CA made on first start and kept for ever after, the API
/// server's serving certificate and the admin's client certificate, both renewed when they near expiry (and the
/// serving one when the names it must cover change). Files are PEM; keys are mode 0600, the directory 0700.
/// </summary>
public sealed class ClusterPki
{
    /// <summary>The lifetime of the cluster CA.</summary>
    public static readonly TimeSpan CaLifetime = TimeSpan.FromDays(3650);

    /// <summary>The lifetime of the serving and admin certificates.</summary>
    public static readonly TimeSpan LeafLifetime = TimeSpan.FromDays(365);

    /// <summary>Serving and admin certificates expiring sooner than this are renewed on start.</summary>
    public static readonly TimeSpan RenewBefore = TimeSpan.FromDays(30);

    /// <summary>The admin's user name.</summary>
    public const string AdminUser = "system:admin";

    /// <summary>The controller manager's user name (its client certificate's CN, as Kubernetes').</summary>
    public const string ControllerManagerUser = "system:kube-controller-manager";

    /// <summary>The scheduler's user name (its client certificate's CN, as Kubernetes').</summary>
    public const string SchedulerUser = "system:kube-scheduler";

    /// <summary>The admin's group: bound to cluster-admin, so it may do anything.</summary>
    public const string AdminGroup = "system:masters";

    private readonly X509Certificate2 _ca;
    private readonly TimeProvider _time;

    private ClusterPki(string directory, X509Certificate2 ca, X509Certificate2 serving, IssuedCertificate admin, TimeProvider time)
    {
        Directory = directory;
        _ca = ca;
        _time = time;
        CaCertificate = X509CertificateLoader.LoadCertificate(ca.RawData);
        CaCertificatePem = ca.ExportCertificatePem() + "\n";
        ServingCertificate = serving;
        Admin = admin;
    }

    /// <summary>
    /// The cluster CA with its private key, for the controller manager's in-process certificate signer (csrsigning,
    /// kube-controller-manager's --cluster-signing-cert-file and key-file). Everything else uses <see cref="CaCertificate"/>.
    /// </summary>
    public X509Certificate2 SigningCertificate => _ca;

    /// <summary>The directory holding the files (<c>{dataDir}/tls</c>).</summary>
    public string Directory { get; }

    /// <summary>The cluster CA, without its private key: the trust root for servers and clients.</summary>
    public X509Certificate2 CaCertificate { get; }

    /// <summary>The cluster CA as PEM, for kubeconfig files and agents.</summary>
    public string CaCertificatePem { get; }

    /// <summary>The API server's certificate with its private key, ready for Kestrel.</summary>
    public X509Certificate2 ServingCertificate { get; }

    /// <summary>The admin's client certificate and key (CN <c>system:admin</c>, O <c>system:masters</c>).</summary>
    public IssuedCertificate Admin { get; }

    /// <summary>
    /// Loads the certificates from <c>{dataDir}/tls/</c>, creating what is missing and renewing what is due. The serving
    /// certificate covers localhost, the loopback addresses, the host name and addresses, the in-cluster service names
    /// and <paramref name="extraSans"/> (IP addresses or DNS names).
    /// </summary>
    public static ClusterPki LoadOrCreate(string dataDir, IEnumerable<string> extraSans, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(dataDir);
        ArgumentNullException.ThrowIfNull(extraSans);
        time ??= TimeProvider.System;
        var files = new PkiFiles(Path.Combine(dataDir, "tls"));
        SecureFile.EnsurePrivateDirectory(files.Directory);
        var now = time.GetUtcNow();

        var ca = files.LoadCertificateAuthority();
        var caIsNew = ca is null;
        if (ca is null)
        {
            ca = CertificateFactory.CreateCertificateAuthority($"cetus-ca@{now.ToUnixTimeSeconds()}", now, CaLifetime);
            files.Save(PkiFiles.Ca, ca);
        }

        var names = SubjectAlternativeNames.ForServing(extraSans);
        var serving = caIsNew ? null : files.Load(PkiFiles.Serving);
        if (serving is null || !IsCurrent(serving, ca, CertificateFactory.ServerAuth, now) || !SubjectAlternativeNames.Of(serving).Covers(names))
        {
            serving?.Dispose();
            serving = CertificateFactory.CreateServing(ca, "cetus-apiserver", names, now, LeafLifetime);
            files.Save(PkiFiles.Serving, serving);
        }

        var admin = caIsNew ? null : files.Load(PkiFiles.Admin);
        if (admin is null || !IsCurrent(admin, ca, CertificateFactory.ClientAuth, now))
        {
            admin?.Dispose();
            admin = CertificateFactory.CreateClient(ca, AdminUser, [AdminGroup], now, LeafLifetime);
            files.Save(PkiFiles.Admin, admin);
        }

        using (admin)
        {
            return new ClusterPki(files.Directory, ca, serving, CertificateFactory.ToPem(admin), time);
        }
    }

    /// <summary>
    /// Issues a client certificate signed by the cluster CA: the user is <paramref name="commonName"/>, the groups are
    /// <paramref name="organizations"/> (e.g. <c>system:node:worker-1</c> in <c>system:nodes</c>).
    /// </summary>
    public IssuedCertificate IssueClientCertificate(string commonName, IEnumerable<string> organizations, TimeSpan lifetime)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(commonName);
        ArgumentNullException.ThrowIfNull(organizations);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(lifetime, TimeSpan.Zero);
        using var certificate = CertificateFactory.CreateClient(_ca, commonName, organizations, _time.GetUtcNow(), lifetime);
        return CertificateFactory.ToPem(certificate);
    }

    /// <summary>
    /// Issues a serving certificate signed by the cluster CA for <paramref name="names"/> (IP addresses and DNS names
    /// only: a kubelet's, CN <c>system:node:NAME</c>, covering the node's addresses and host name).
    /// </summary>
    public IssuedCertificate IssueServingCertificate(string commonName, IEnumerable<string> names, TimeSpan lifetime)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(commonName);
        ArgumentNullException.ThrowIfNull(names);
        using var certificate = CertificateFactory.CreateServing(_ca, commonName, SubjectAlternativeNames.Exactly(names), _time.GetUtcNow(), lifetime);
        return CertificateFactory.ToPem(certificate);
    }

    private static bool IsCurrent(X509Certificate2 certificate, X509Certificate2 ca, Oid usage, DateTimeOffset now) =>
        ClusterTrust.Problems(certificate, ca, now + RenewBefore, usage).Count == 0
        && ClusterTrust.Problems(certificate, ca, now, usage).Count == 0;
}
