using System.Security.Cryptography.X509Certificates;

namespace Cetus.Kubelet.Server;

/// <summary>How the kubelet's own HTTPS server listens and whom it lets in.</summary>
public sealed record KubeletServerOptions
{
    /// <summary>The node's name (in the stats summary).</summary>
    public required string NodeName { get; init; }

    /// <summary>The address to listen on (the kubelet's --address; 0.0.0.0 for every interface).</summary>
    public string BindAddress { get; init; } = "0.0.0.0";

    /// <summary>The port (the kubelet's --port, 10250; status.daemonEndpoints.kubeletEndpoint.Port).</summary>
    public int Port { get; init; } = 10250;

    /// <summary>The kubelet's serving certificate with its key, signed by the cluster CA.</summary>
    public required X509Certificate2 ServingCertificate { get; init; }

    /// <summary>The CA client certificates must chain to (the kubelet's --client-ca-file).</summary>
    public required X509Certificate2 ClientCertificateAuthority { get; init; }

    /// <summary>
    /// The client certificate common names allowed in: only the API server's kubelet client
    /// (<see cref="ApiServerClientName"/>) by default, so only the API server may call the kubelet's API.
    /// </summary>
    public IReadOnlySet<string> AllowedClients { get; init; } = new HashSet<string>(StringComparer.Ordinal) { ApiServerClientName };

    /// <summary>The API server's client certificate CN (kube-apiserver's kubelet client, as upstream names it).</summary>
    public const string ApiServerClientName = "kube-apiserver-kubelet-client";
}
