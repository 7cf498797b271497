using System.Net;

namespace Cetus.Client.Http;

/// <summary>
/// Sends each watch over a connection of its own (HTTP/1.1) while other requests share the client's HTTP/2
/// connection. Multiplexed on the connection that also carried a ReplicaSet's burst of creates, the controller
/// manager's pod watches fell 5–7 s behind the API server's watch cache (a 1,000-replica Deployment; measured in
/// docs/benchmarks.md), and the ReplicaSet waits for its creations to be observed before the next burst.
/// </summary>
public sealed class WatchConnectionHandler : DelegatingHandler
{
    /// <inheritdoc />
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (StreamRequests.IsWatch(request))
        {
            request.Version = HttpVersion.Version11;
            request.VersionPolicy = HttpVersionPolicy.RequestVersionExact;
        }

        return base.SendAsync(request, cancellationToken);
    }
}
