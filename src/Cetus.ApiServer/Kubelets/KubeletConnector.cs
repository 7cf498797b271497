using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Cetus.Api.Scheme;
using Cetus.ApiServer.Errors;
using Cetus.ApiServer.Registry;
using k8s.Models;

namespace Cetus.ApiServer.Kubelets;

/// <summary>Where a node's kubelet listens.</summary>
/// <param name="Host">Its InternalIP (or another address when it has none).</param>
/// <param name="Port">status.daemonEndpoints.kubeletEndpoint.Port.</param>
internal sealed record KubeletEndpoint(string Host, int Port);

/// <summary>
/// Connects the API server to kubelets over TLS with its kubelet client certificate, checking that the kubelet's
/// serving certificate chains to the cluster CA and names the address connected to (kube-apiserver with
/// --kubelet-certificate-authority). The address comes from the Node: InternalIP first, then the other addresses.
/// </summary>
internal sealed class KubeletConnector(ApiServerOptions options, ObjectStore objects, ResourceRegistry registry)
{
    private static readonly string[] AddressTypes = ["InternalIP", "Hostname", "InternalDNS", "ExternalIP", "ExternalDNS"];
    private HttpClient? _client;

    private KubeletClientOptions Options => options.Kubelets
        ?? throw Problems.Unavailable("the API server has no kubelet client credentials: logs, exec, attach and port-forward are unavailable");

    /// <summary>The kubelet of node <paramref name="nodeName"/>.</summary>
    public async Task<KubeletEndpoint> EndpointAsync(string nodeName, CancellationToken cancellationToken)
    {
        var definition = registry.Find(string.Empty, "v1", "nodes")!;
        var stored = await objects.GetAsync(definition, string.Empty, nodeName, cancellationToken).ConfigureAwait(false)
            ?? throw Problems.Internal($"nodes \"{nodeName}\" not found");
        return EndpointOf((V1Node)stored.Item);
    }

    /// <summary>The kubelet of <paramref name="node"/>: its first address by preference, and its port.</summary>
    public static KubeletEndpoint EndpointOf(V1Node node)
    {
        var addresses = node.Status?.Addresses ?? [];
        var host = AddressTypes.Select(type => addresses.FirstOrDefault(a => a.Type == type && !string.IsNullOrEmpty(a.Address))?.Address).FirstOrDefault(a => a is not null)
            ?? throw Problems.Internal($"node {node.Metadata?.Name} reports no address to reach its kubelet at");
        var port = node.Status?.DaemonEndpoints?.KubeletEndpoint?.Port is > 0 and var p ? p : 10250;
        return new KubeletEndpoint(host, port);
    }

    /// <summary>A GET to the kubelet; the response's headers are read, its body streams.</summary>
    public async Task<HttpResponseMessage> GetAsync(KubeletEndpoint endpoint, string pathAndQuery, CancellationToken cancellationToken)
    {
        var client = _client ??= CreateClient();
        try
        {
            return await client.GetAsync(new Uri($"https://{HostPort(endpoint)}{pathAndQuery}"), HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw Unreachable(endpoint, e);
        }
    }

    /// <summary>A TLS connection to the kubelet, for requests that upgrade (exec, attach, portforward).</summary>
    public async Task<Stream> ConnectAsync(KubeletEndpoint endpoint, CancellationToken cancellationToken)
    {
        var settings = Options;
        var tcp = new TcpClient { NoDelay = true };
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(settings.ConnectTimeout);
            await tcp.ConnectAsync(endpoint.Host, endpoint.Port, timeout.Token).ConfigureAwait(false);
            var ssl = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false);
            await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = endpoint.Host,
                ClientCertificates = [settings.ClientCertificate],
                ApplicationProtocols = [SslApplicationProtocol.Http11],
                RemoteCertificateValidationCallback = (_, certificate, _, errors) => Trusted(certificate, errors),
            }, timeout.Token).ConfigureAwait(false);
            return ssl;
        }
        catch (Exception e) when (e is SocketException or IOException or System.Security.Authentication.AuthenticationException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            tcp.Dispose();
            throw Unreachable(endpoint, e);
        }
    }

    private static string HostPort(KubeletEndpoint endpoint) =>
        endpoint.Host.Contains(':', StringComparison.Ordinal) ? $"[{endpoint.Host}]:{endpoint.Port}" : $"{endpoint.Host}:{endpoint.Port}";

    private static ApiException Unreachable(KubeletEndpoint endpoint, Exception e) =>
        Problems.Internal($"error dialing backend: the kubelet at {HostPort(endpoint)} is not reachable ({e.Message})");

    private HttpClient CreateClient()
    {
        var settings = Options;
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = settings.ConnectTimeout,
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(90),
            SslOptions = new SslClientAuthenticationOptions
            {
                ClientCertificates = [settings.ClientCertificate],
                RemoteCertificateValidationCallback = (_, certificate, _, errors) => Trusted(certificate, errors),
            },
        };
        // Followed logs last as long as the client wants.
        return new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
    }

    // The kubelet's certificate must chain to the cluster CA and name the address (no other policy errors).
    private bool Trusted(X509Certificate? certificate, SslPolicyErrors errors)
    {
        if (certificate is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch) || errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(Options.CertificateAuthority);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var leaf = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        return chain.Build(leaf);
    }
}
