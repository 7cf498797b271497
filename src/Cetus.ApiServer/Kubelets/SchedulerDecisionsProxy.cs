using System.Net.Security;
using System.Security.Cryptography;
using Cetus.Api.Scheme;
using Cetus.ApiServer.Errors;
using Cetus.ApiServer.Registry;
using k8s.Models;

namespace Cetus.ApiServer.Kubelets;

/// <summary>
/// Reads a pod's scheduling decision from a scheduler run apart (<c>cetus scheduler --secure-port</c>): the current
/// leader's address and serving-certificate hash come from the kube-system/kube-scheduler Lease
/// (<see cref="SchedulerEndpoint"/>), the connection presents the API server's kubelet client certificate and accepts
/// only the pinned serving certificate.
/// </summary>
internal sealed class SchedulerDecisionsProxy(ApiServerOptions options, ObjectStore objects, ResourceRegistry registry)
{
    private readonly Lock _lock = new();
    private (string Sha, HttpClient Client)? _client;

    /// <summary>The scheduler's answer (status code and JSON body: a decision or a Status).</summary>
    public async Task<(int Code, byte[] Body)> GetAsync(string ns, string name, CancellationToken cancellationToken)
    {
        var definition = registry.Find("coordination.k8s.io", "v1", "leases") ?? throw Problems.Internal("leases are not registered");
        var lease = (await objects.GetAsync(definition, SchedulerEndpoint.LeaseNamespace, SchedulerEndpoint.LeaseName, cancellationToken).ConfigureAwait(false))?.Item as V1Lease;
        if (SchedulerEndpoint.Read(lease) is not { } endpoint)
        {
            throw Problems.Unavailable("no scheduler serves its decisions: none runs in this API server's process, and the leader of lease kube-system/kube-scheduler publishes no decisions endpoint (run cetus scheduler with --secure-port)");
        }

        var client = ClientFor(endpoint.CertificateSha256);
        var url = new Uri(endpoint.Url, SchedulerEndpoint.PodPath(ns, name));
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(30));
            using var response = await client.GetAsync(url, timeout.Token).ConfigureAwait(false);
            return ((int)response.StatusCode, await response.Content.ReadAsByteArrayAsync(timeout.Token).ConfigureAwait(false));
        }
        catch (Exception e) when (e is HttpRequestException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            throw Problems.Unavailable($"the scheduler at {endpoint.Url} did not answer: {e.Message}");
        }
    }

    // One client per pinned certificate: a new leader (a new certificate) gets a new one.
    private HttpClient ClientFor(string sha)
    {
        var credentials = options.Kubelets ?? throw Problems.Unavailable("the API server has no client credentials to reach the scheduler with");
        lock (_lock)
        {
            if (_client is { } current && current.Sha == sha)
            {
                return current.Client;
            }

            _client?.Client.Dispose();
            var handler = new SocketsHttpHandler
            {
                ConnectTimeout = credentials.ConnectTimeout,
                SslOptions = new SslClientAuthenticationOptions
                {
                    ClientCertificates = [credentials.ClientCertificate],
                    RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                        certificate is not null && string.Equals(Convert.ToHexStringLower(SHA256.HashData(certificate.GetRawCertData())), sha, StringComparison.OrdinalIgnoreCase),
                },
            };
            var client = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
            _client = (sha, client);
            return client;
        }
    }
}
