using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Cetus.Api.Bootstrap;

/// <summary>
/// The <c>kube-public/cluster-info</c> ConfigMap of token discovery (k8s.io/cluster-bootstrap): a kubeconfig with the
/// cluster's CA under <see cref="KubeconfigKey"/>, signed for each bootstrap token id under
/// <c>jws-kubeconfig-&lt;id&gt;</c> with a detached JWS (HS256, keyed by the token's secret, <c>kid</c> the id), and
/// the CA pin a joining node checks (<c>sha256:</c> and the SHA-256 of the CA's SubjectPublicKeyInfo, as kubeadm's
/// <c>--discovery-token-ca-cert-hash</c>).
/// </summary>
public static class ClusterInfo
{
    /// <summary>The ConfigMap's namespace.</summary>
    public const string Namespace = "kube-public";

    /// <summary>The ConfigMap's name.</summary>
    public const string Name = "cluster-info";

    /// <summary>The key of the kubeconfig in it.</summary>
    public const string KubeconfigKey = "kubeconfig";

    /// <summary>The prefix of the signature keys, followed by a token id.</summary>
    public const string SignaturePrefix = "jws-kubeconfig-";

    /// <summary>A detached JWS of <paramref name="content"/>: base64url header, empty payload, base64url HMAC-SHA256.</summary>
    public static string Sign(string content, string tokenId, string tokenSecret)
    {
        ArgumentNullException.ThrowIfNull(content);
        var header = Base64Url(Encoding.UTF8.GetBytes($"{{\"alg\":\"HS256\",\"kid\":\"{tokenId}\"}}"));
        var signature = HMACSHA256.HashData(Encoding.UTF8.GetBytes(tokenSecret), Encoding.ASCII.GetBytes(header + "." + Base64Url(Encoding.UTF8.GetBytes(content))));
        return header + ".." + Base64Url(signature);
    }

    /// <summary>Whether <paramref name="jws"/> is <paramref name="content"/>'s detached signature with this token (constant time).</summary>
    public static bool Verify(string content, string jws, string tokenId, string tokenSecret)
    {
        ArgumentNullException.ThrowIfNull(jws);
        var expected = Encoding.ASCII.GetBytes(Sign(content, tokenId, tokenSecret));
        return CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(jws));
    }

    /// <summary>The CA pin: <c>sha256:</c> and the hex SHA-256 of the certificate's SubjectPublicKeyInfo.</summary>
    public static string CaCertHash(X509Certificate2 ca)
    {
        ArgumentNullException.ThrowIfNull(ca);
        return "sha256:" + Convert.ToHexStringLower(SHA256.HashData(ca.PublicKey.ExportSubjectPublicKeyInfo()));
    }

    /// <summary>The kubeconfig published under <see cref="KubeconfigKey"/>: the server and its CA, no user.</summary>
    public static string Kubeconfig(string server, string caPem) => $$"""
        apiVersion: v1
        kind: Config
        clusters:
        - cluster:
            certificate-authority-data: {{Convert.ToBase64String(Encoding.ASCII.GetBytes(caPem))}}
            server: {{server}}
          name: ""
        contexts: null
        current-context: ""
        preferences: {}
        users: null

        """;

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
