using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Cetus.Client.Security;

/// <summary>
/// What the components' own HTTPS servers share (the kubelet's, and a standalone scheduler's): only callers with a
/// client certificate from the cluster CA get in, and refusals are Kubernetes Status bodies.
/// </summary>
public static class ComponentEndpoints
{
    private static readonly Oid ClientAuthentication = new("1.3.6.1.5.5.7.3.2");

    /// <summary>True when <paramref name="certificate"/> chains to <paramref name="authority"/> and may authenticate a client.</summary>
    public static bool ChainsTo(X509Certificate2 certificate, X509Certificate2 authority)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        ArgumentNullException.ThrowIfNull(authority);
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(authority);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(ClientAuthentication);
        return chain.Build(certificate);
    }

    /// <summary>A metav1 Status with status Failure, as JSON (KubernetesClient's V1Status converter reads but does not write).</summary>
    public static byte[] FailureStatus(int code, string reason, string message) =>
        System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new Dictionary<string, object>(),
            ["status"] = "Failure",
            ["message"] = message,
            ["reason"] = reason,
            ["code"] = code,
        });
}
