using System.Text;
using YamlDotNet.Serialization;

namespace Cetus.ApiServer.Security;

/// <summary>
/// Writes kubeconfig files (apiVersion v1, kind Config) with one cluster, one user and one context, credentials
/// embedded as base64 data, so the file alone is enough to reach the cluster. Files are mode 0600.
/// </summary>
public static class Kubeconfig
{
    /// <summary>Writes a kubeconfig that authenticates with a client certificate.</summary>
    /// <param name="path">The file to write; its directory is created when missing.</param>
    /// <param name="serverUrl">The API server, e.g. <c>https://127.0.0.1:6443</c>.</param>
    /// <param name="caPem">The cluster CA certificate (PEM) the server certificate must chain to.</param>
    /// <param name="clientCertPem">The client certificate (PEM).</param>
    /// <param name="clientKeyPem">The client private key (PEM).</param>
    /// <param name="user">The user entry's name.</param>
    /// <param name="cluster">The cluster entry's name.</param>
    /// <param name="context">The context's name, which becomes the current context.</param>
    public static void Write(
        string path,
        string serverUrl,
        string caPem,
        string clientCertPem,
        string clientKeyPem,
        string user = ClusterPki.AdminUser,
        string cluster = "cetus",
        string context = "cetus")
    {
        ArgumentException.ThrowIfNullOrEmpty(clientCertPem);
        ArgumentException.ThrowIfNullOrEmpty(clientKeyPem);
        var credentials = new Dictionary<string, object>
        {
            ["client-certificate-data"] = Base64(clientCertPem),
            ["client-key-data"] = Base64(clientKeyPem),
        };
        SecureFile.Write(path, Render(serverUrl, caPem, credentials, user, cluster, context));
    }

    /// <summary>Writes a kubeconfig that authenticates with a bearer token.</summary>
    /// <param name="path">The file to write; its directory is created when missing.</param>
    /// <param name="serverUrl">The API server, e.g. <c>https://127.0.0.1:6443</c>.</param>
    /// <param name="caPem">The cluster CA certificate (PEM) the server certificate must chain to.</param>
    /// <param name="token">The bearer token.</param>
    /// <param name="user">The user entry's name.</param>
    /// <param name="cluster">The cluster entry's name.</param>
    /// <param name="context">The context's name, which becomes the current context.</param>
    public static void WriteWithToken(
        string path,
        string serverUrl,
        string caPem,
        string token,
        string user = ClusterPki.AdminUser,
        string cluster = "cetus",
        string context = "cetus")
    {
        ArgumentException.ThrowIfNullOrEmpty(token);
        SecureFile.Write(path, Render(serverUrl, caPem, new Dictionary<string, object> { ["token"] = token }, user, cluster, context));
    }

    private static string Render(string serverUrl, string caPem, Dictionary<string, object> credentials, string user, string cluster, string context)
    {
        ArgumentException.ThrowIfNullOrEmpty(serverUrl);
        ArgumentException.ThrowIfNullOrEmpty(caPem);
        ArgumentException.ThrowIfNullOrEmpty(user);
        ArgumentException.ThrowIfNullOrEmpty(cluster);
        ArgumentException.ThrowIfNullOrEmpty(context);

        // Plain maps in kubectl's own key order keep the file as tidy as one kubectl writes (no empty impersonation keys).
        var config = new Dictionary<string, object>
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Config",
            ["clusters"] = new[]
            {
                new Dictionary<string, object>
                {
                    ["cluster"] = new Dictionary<string, object> { ["certificate-authority-data"] = Base64(caPem), ["server"] = serverUrl },
                    ["name"] = cluster,
                },
            },
            ["contexts"] = new[]
            {
                new Dictionary<string, object>
                {
                    ["context"] = new Dictionary<string, object> { ["cluster"] = cluster, ["user"] = user },
                    ["name"] = context,
                },
            },
            ["current-context"] = context,
            ["preferences"] = new Dictionary<string, object>(),
            ["users"] = new[] { new Dictionary<string, object> { ["name"] = user, ["user"] = credentials } },
        };
        return new SerializerBuilder().Build().Serialize(config);
    }

    private static string Base64(string pem) => Convert.ToBase64String(Encoding.UTF8.GetBytes(pem));
}
