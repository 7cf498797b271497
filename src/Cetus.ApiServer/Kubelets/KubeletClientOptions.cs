using System.Security.Cryptography.X509Certificates;

namespace Cetus.ApiServer.Kubelets;

/// <summary>kube-apiserver's --kubelet-client-certificate/key and --kubelet-certificate-authority.</summary>
public sealed record KubeletClientOptions
{
    /// <summary>The API server's client certificate with its key (CN kube-apiserver-kubelet-client).</summary>
    public required X509Certificate2 ClientCertificate { get; init; }

    /// <summary>The CA the kubelets' serving certificates must chain to.</summary>
    public required X509Certificate2 CertificateAuthority { get; init; }

    /// <summary>How long connecting to a kubelet may take before the request fails.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);
}
