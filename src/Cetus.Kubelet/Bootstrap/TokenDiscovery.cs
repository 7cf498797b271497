using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using Cetus.Api.Bootstrap;
using Cetus.Client.Security;
using k8s;

namespace Cetus.Kubelet.Bootstrap;

/// <summary>
/// kubeadm's token discovery with a CA pin (<c>--discovery-token-ca-cert-hash</c>): a node that has a join token but
/// not yet the cluster CA fetches <c>kube-public/cluster-info</c> anonymously without trusting the server, checks the
/// kubeconfig in it against the JWS signed with the token (so the server knows the token) and its CA against the pin
/// (so it is the cluster's CA), then fetches it again trusting that CA (so the server holds the CA's certificate).
/// Nothing is written.
/// </summary>
public static class TokenDiscovery
{
    private const string Path = "/api/v1/namespaces/" + ClusterInfo.Namespace + "/configmaps/" + ClusterInfo.Name;

    /// <summary>
    /// The cluster CA (PEM) of the server at <paramref name="serverUrl"/>, checked with <paramref name="token"/> and
    /// <paramref name="caCertHash"/> (<c>sha256:HEX</c>). Throws <see cref="NodeBootstrapException"/> saying what did not
    /// match. A signature not there yet (the server signs new tokens a moment after they are made) is waited for up
    /// to <paramref name="timeout"/>.
    /// </summary>
    public static async Task<string> DiscoverCaAsync(string serverUrl, string token, string caCertHash, TimeSpan timeout, TimeProvider? time = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(serverUrl);
        ArgumentNullException.ThrowIfNull(caCertHash);
        time ??= TimeProvider.System;
        var parts = token.Split('.');
        if (parts.Length != 2)
        {
            throw new NodeBootstrapException("the join token must be <id>.<secret>");
        }

        var pin = caCertHash.Trim().ToLowerInvariant();
        if (!pin.StartsWith("sha256:", StringComparison.Ordinal) || pin.Length != 7 + 64 || !pin[7..].All(char.IsAsciiHexDigit))
        {
            throw new NodeBootstrapException($"--ca-cert-hash must be sha256: followed by 64 hex digits, not \"{caCertHash}\"");
        }

        var (id, secret) = (parts[0], parts[1]);
        var deadline = time.GetUtcNow() + timeout;
        JsonNode data;
        string? signature;
        while (true)
        {
            // Not trusted yet: the signature and the pin below are what make the answer trustworthy. A server that
            // has just started may not have published cluster-info yet: that is waited for like a signature.
            var fetched = await FetchAsync(serverUrl, trusted: null, cancellationToken).ConfigureAwait(false);
            data = fetched ?? new JsonObject();
            signature = (string?)data[ClusterInfo.SignaturePrefix + id];
            if (signature is not null || time.GetUtcNow() >= deadline)
            {
                if (fetched is null)
                {
                    throw new NodeBootstrapException($"{ClusterInfo.Namespace}/{ClusterInfo.Name} does not exist on {serverUrl}: is it a cetus server, and is it still starting?");
                }

                break;
            }

            await Task.Delay(TimeSpan.FromSeconds(1), time, cancellationToken).ConfigureAwait(false);
        }

        var kubeconfig = (string?)data[ClusterInfo.KubeconfigKey]
            ?? throw new NodeBootstrapException($"{ClusterInfo.Namespace}/{ClusterInfo.Name} on {serverUrl} holds no kubeconfig");
        if (signature is null)
        {
            throw new NodeBootstrapException($"{ClusterInfo.Namespace}/{ClusterInfo.Name} on {serverUrl} has no signature for token id {id}: the token is unknown there, expired, or not for signing");
        }

        if (!ClusterInfo.Verify(kubeconfig, signature, id, secret))
        {
            throw new NodeBootstrapException($"the signature of {ClusterInfo.Namespace}/{ClusterInfo.Name} for token id {id} does not match: the token is wrong or the answer was tampered with; refusing to join");
        }

        var authorities = Authorities(kubeconfig);
        var hashes = authorities.Select(ClusterInfo.CaCertHash).ToList();
        if (!hashes.Contains(pin, StringComparer.Ordinal))
        {
            throw new NodeBootstrapException($"the cluster CA of {serverUrl} has public key hash {string.Join(", ", hashes)}, not {pin}: refusing to join (check --ca-cert-hash, or that this is the server you meant)");
        }

        // The same request trusting the CA: the server must present a certificate of it.
        _ = await FetchAsync(serverUrl, authorities, cancellationToken).ConfigureAwait(false);
        return string.Concat(authorities.Select(c => c.ExportCertificatePem() + "\n"));
    }

    private static X509Certificate2Collection Authorities(string kubeconfig)
    {
        try
        {
            var config = KubeconfigFile.Parse(kubeconfig, "the cluster-info kubeconfig");
            var data = config.Clusters?.FirstOrDefault()?.ClusterEndpoint?.CertificateAuthorityData
                ?? throw new NodeBootstrapException("the cluster-info kubeconfig names no certificate authority");
            var collection = new X509Certificate2Collection();
            collection.ImportFromPem(Encoding.ASCII.GetString(Convert.FromBase64String(data)));
            return collection.Count > 0 ? collection : throw new NodeBootstrapException("the cluster-info kubeconfig's certificate authority holds no certificate");
        }
        catch (Exception e) when (e is FormatException or k8s.Exceptions.KubeConfigException or System.Security.Cryptography.CryptographicException)
        {
            throw new NodeBootstrapException("the cluster-info kubeconfig cannot be read: " + e.Message, e);
        }
    }

    // cluster-info's data; null when the server answers 404 (not published yet).
    private static async Task<JsonNode?> FetchAsync(string serverUrl, X509Certificate2Collection? trusted, CancellationToken cancellationToken)
    {
        using var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (sender, certificate, chain, errors) =>
            trusted is null || (certificate is not null && chain is not null && Kubernetes.CertificateValidationCallBack(sender, trusted, certificate, chain, errors));
        using var http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(30) };
        HttpResponseMessage response;
        try
        {
            response = await http.GetAsync(new Uri(new Uri(serverUrl), Path), cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new NodeBootstrapException(trusted is null
                ? $"cannot reach the API server at {serverUrl}: {e.Message}"
                : $"the API server at {serverUrl} does not present a certificate of the discovered cluster CA: {e.Message}", e);
        }

        using (response)
        {
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                return null;
            }

            if (response.StatusCode != HttpStatusCode.OK)
            {
                throw new NodeBootstrapException($"could not read {ClusterInfo.Namespace}/{ClusterInfo.Name} from {serverUrl} ({(int)response.StatusCode})");
            }

            var body = await response.Content.ReadFromJsonAsync<JsonNode>(cancellationToken).ConfigureAwait(false);
            return body?["data"] ?? throw new NodeBootstrapException($"{ClusterInfo.Namespace}/{ClusterInfo.Name} on {serverUrl} has no data");
        }
    }
}
