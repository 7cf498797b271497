using System.Security.Cryptography.X509Certificates;
using Cetus.ApiServer.Security;

namespace Cetus.ApiServer;

/// <summary>What /version reports.</summary>
/// <param name="Major">"1".</param>
/// <param name="Minor">"32": kubectl picks its behaviour from it.</param>
/// <param name="GitVersion">e.g. v1.32.4-cetus.0.1.0.</param>
public sealed record VersionInfo(string Major, string Minor, string GitVersion);

/// <summary>How the API server listens and whom it lets in.</summary>
public sealed record ApiServerOptions
{
    /// <summary>The address to listen on.</summary>
    public string BindAddress { get; init; } = "127.0.0.1";

    /// <summary>The HTTPS port; 0 picks a free one.</summary>
    public int SecurePort { get; init; } = 6443;

    /// <summary>The serving certificate, with its private key.</summary>
    public required X509Certificate2 ServingCertificate { get; init; }

    /// <summary>Maps a client certificate to a user, or null when it is not trusted.</summary>
    public required Func<X509Certificate2, UserInfo?> AuthenticateCertificate { get; init; }

    /// <summary>Maps a bearer token to a user, or null when it is unknown.</summary>
    public required Func<string, UserInfo?> AuthenticateToken { get; init; }

    /// <summary>What /version reports.</summary>
    public required VersionInfo Version { get; init; }

    /// <summary>Secrets encryption at rest; null: Secrets are stored as they are.</summary>
    public SecretsEncryption? SecretsEncryption { get; init; }

    /// <summary>Requests without credentials act as system:anonymous (group system:unauthenticated) instead of getting 401.</summary>
    public bool AnonymousAuth { get; init; }

    /// <summary>Where the audit log goes; null: no audit log.</summary>
    public Audit.AuditLogOptions? AuditLog { get; init; }

    /// <summary>Signs and reads service-account tokens; when null, the server makes a key it keeps nowhere.</summary>
    public ServiceAccountTokens? ServiceAccountTokens { get; init; }

    /// <summary>
    /// How the API server reaches kubelets for pods/log, exec, attach and portforward (its client certificate and the
    /// CA kubelets' serving certificates chain to); null: those subresources answer 503.
    /// </summary>
    public Kubelets.KubeletClientOptions? Kubelets { get; init; }

    /// <summary>
    /// Admission plugins turned off (kube-apiserver's --disable-admission-plugins), by name; only
    /// <see cref="Admission.ServiceAccountAdmission.Name"/> can be. A server without a controller manager (the
    /// in-process test server) turns it off, since nothing creates the default service accounts pods need.
    /// </summary>
    public IReadOnlySet<string> DisabledAdmissionPlugins { get; init; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>Asks the kubelets for their stats summaries (metrics.k8s.io); null: the group is served with empty lists.</summary>
    public ResourceMetrics.IKubeletStatsSource? KubeletStats { get; init; }

    /// <summary>
    /// The in-process scheduler's record of a pod's last scheduling attempt as JSON (namespace, name → null when none
    /// is kept), served at <c>/debug/scheduler/pods/NAMESPACE/NAME</c>; null: no scheduler runs in this process and
    /// that path answers 503.
    /// </summary>
    public Func<string, string, byte[]?>? SchedulerDecisions { get; init; }

    /// <summary>Where services' cluster IPs and node ports come from (--service-cluster-ip-range, --service-node-port-range).</summary>
    public Services.ServiceNetwork ServiceNetwork { get; init; } = Services.ServiceNetwork.Default;

    /// <summary>
    /// The address other members of the cluster reach this API server at: the <c>kubernetes</c> Service's Endpoints
    /// (--advertise-address). Null: the bind address (127.0.0.1 when it is 0.0.0.0).
    /// </summary>
    public string? AdvertiseAddress { get; init; }
}
