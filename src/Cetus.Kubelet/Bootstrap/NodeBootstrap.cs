using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Cetus.Kubelet.Bootstrap;

/// <summary>What a node needs to join a cluster with a bootstrap (join) token.</summary>
public sealed record NodeBootstrapOptions
{
    /// <summary>The API server, e.g. <c>https://10.0.0.1:6443</c>.</summary>
    public required string ServerUrl { get; init; }

    /// <summary>The join token, <c>&lt;id&gt;.&lt;secret&gt;</c> (<c>cetus token create</c> on the server prints one).</summary>
    public required string Token { get; init; }

    /// <summary>The cluster CA certificate(s) in PEM, which the server's certificate must chain to.</summary>
    public required string CaPem { get; init; }

    /// <summary>The node's name: the certificate is for <c>system:node:NAME</c>.</summary>
    public required string NodeName { get; init; }

    /// <summary>Where the key and the kubeconfig are kept (the kubelet's --cert-dir).</summary>
    public required string Directory { get; init; }

    /// <summary>How long to wait for the certificate to be approved and issued.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>The clock (validity of an existing certificate, polling).</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;
}

/// <summary>Why a node could not join: a refused token, a denied or failed request, a timeout.</summary>
public sealed class NodeBootstrapException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// Kubelet TLS bootstrapping (the kubelet's --bootstrap-kubeconfig flow): with a join token, asks the API server for the
/// node's own client certificate (a CertificateSigningRequest for <c>CN=system:node:NAME, O=system:nodes</c> of signer
/// <c>kubernetes.io/kube-apiserver-client-kubelet</c>, usages digital signature and client auth, with an ECDSA P-256 key
/// made here and kept in <c>DIR/kubelet-client.key</c>, 0600), waits until the server's controllers approve and sign it,
/// and writes <c>DIR/kubelet.kubeconfig</c> with that certificate and key. A kubeconfig already there for the same
/// node and server whose certificate has more than a fifth of its lifetime left is used as it is: no new request.
/// </summary>
public static class NodeBootstrap
{
    /// <summary>The kubeconfig written into the directory.</summary>
    public const string KubeconfigFile = "kubelet.kubeconfig";

    /// <summary>The node's private key in the directory.</summary>
    public const string KeyFile = "kubelet-client.key";

    /// <summary>The signer of kubelet client certificates.</summary>
    public const string SignerName = "kubernetes.io/kube-apiserver-client-kubelet";

    /// <summary>
    /// Makes sure <c>DIR/kubelet.kubeconfig</c> holds a current client certificate for the node, requesting one with
    /// the join token when needed; returns the kubeconfig's path. Throws <see cref="NodeBootstrapException"/> with
    /// the reason when the node cannot get one.
    /// </summary>
    public static async Task<string> EnsureKubeconfigAsync(NodeBootstrapOptions options, Action<string>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        Directory.CreateDirectory(options.Directory);
        var kubeconfig = Path.Combine(options.Directory, KubeconfigFile);
        var user = "system:node:" + options.NodeName;
        if (IsCurrent(kubeconfig, options, user))
        {
            progress?.Invoke($"using the node certificate in {kubeconfig}");
            return kubeconfig;
        }

        using var key = CertificateRequester.LoadOrCreateKey(Path.Combine(options.Directory, KeyFile));
        var request = new CertificateRequest(
            new X500DistinguishedName($"O=system:nodes, CN={user}"),
            key,
            HashAlgorithmName.SHA256);
        var pem = request.CreateSigningRequestPem();
        var name = CertificateRequester.Name("node-csr-", key, user);

        using var client = new Kubernetes(new KubernetesClientConfiguration
        {
            Host = options.ServerUrl,
            AccessToken = options.Token,
            SslCaCerts = CaCollection(options.CaPem),
        });
        var csr = await CertificateRequester.CreateAsync(client, name, pem, SignerName, ["digital signature", "client auth"], Explain, cancellationToken).ConfigureAwait(false);
        progress?.Invoke($"certificate signing request {name} sent for {user}; waiting for approval");
        var certificate = await CertificateRequester.WaitForCertificateAsync(client, csr, options.Timeout, options.Time, Explain, cancellationToken).ConfigureAwait(false);

        CertificateRequester.WritePrivate(kubeconfig, Kubeconfig(options.ServerUrl, options.CaPem, user, certificate, key.ExportPkcs8PrivateKeyPem() + "\n"));
        progress?.Invoke($"node certificate issued for {user}: {kubeconfig}");
        return kubeconfig;
    }

    /// <summary>Whether the kubeconfig holds a certificate for this user and server with more than 20 % of its lifetime left.</summary>
    public static bool IsCurrent(string kubeconfig, NodeBootstrapOptions options, string user)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!File.Exists(kubeconfig))
        {
            return false;
        }

        try
        {
            var config = Cetus.Client.Security.KubeconfigFile.Load(kubeconfig);
            if (config.Host?.TrimEnd('/') != options.ServerUrl.TrimEnd('/') || config.ClientCertificateData is null || config.ClientCertificateKeyData is null)
            {
                return false;
            }

            using var certificate = X509Certificate2.CreateFromPem(Encoding.ASCII.GetString(Convert.FromBase64String(config.ClientCertificateData)));
            if (certificate.GetNameInfo(X509NameType.SimpleName, false) != user)
            {
                return false;
            }

            return CertificateRequester.HasLifeLeft(certificate.NotBefore, certificate.NotAfter, options.Time);
        }
        catch (Exception e) when (e is not OperationCanceledException and not OutOfMemoryException)
        {
            // Unreadable in any way (YAML, base64, PEM): a new certificate is requested and the file replaced.
            return false;
        }
    }

    private static NodeBootstrapException Explain(HttpOperationException e, string what) => e.Response.StatusCode switch
    {
        HttpStatusCode.Unauthorized => new NodeBootstrapException("the join token was refused (401): create one with `cetus token create` on the server", e),
        HttpStatusCode.Forbidden => new NodeBootstrapException($"the join token may not {what} (403): {CertificateRequester.Message(e)}", e),
        _ => new NodeBootstrapException($"could not {what} ({(int)e.Response.StatusCode}): {CertificateRequester.Message(e)}", e),
    };

    private static X509Certificate2Collection CaCollection(string pem)
    {
        var collection = new X509Certificate2Collection();
        collection.ImportFromPem(pem);
        if (collection.Count == 0)
        {
            throw new NodeBootstrapException("the certificate authority holds no PEM certificate");
        }

        return collection;
    }

    /// <summary>The node's kubeconfig: the server and its CA, and the client certificate and key inline.</summary>
    internal static string Kubeconfig(string server, string caPem, string user, string certificatePem, string keyPem)
    {
        static string B64(string text) => Convert.ToBase64String(Encoding.ASCII.GetBytes(text));
        return $"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: cetus
              cluster:
                server: "{server}"
                certificate-authority-data: {B64(caPem)}
            users:
            - name: "{user}"
              user:
                client-certificate-data: {B64(certificatePem)}
                client-key-data: {B64(keyPem)}
            contexts:
            - name: cetus
              context:
                cluster: cetus
                user: "{user}"
            current-context: cetus

            """;
    }
}
