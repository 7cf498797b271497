using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using k8s;

namespace Cetus.Kubelet.Bootstrap;

/// <summary>
/// The last handler of the node's API client: sends each request through a connection pool that presents the
/// current client certificate. <see cref="Use"/> starts a new pool for a new certificate, so new requests use it at
/// once while requests already under way (watches) finish on their connections; the old pool is closed once its
/// certificate has expired (the kubelet's certificate manager closes its old connections too).
/// </summary>
internal sealed class CurrentCertificateHandler : DelegatingHandler
{
    // The old pool serves what is under way until the old certificate would be refused anyway: at the latest when it
    // expires, and no later than this after the switch (a watch ends and starts again by then).
    private static readonly TimeSpan MaxGrace = TimeSpan.FromMinutes(10);

    private readonly X509Certificate2Collection _authorities;
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private readonly List<HttpMessageInvoker> _retired = [];
    private HttpMessageInvoker _current;
    private DateTime _currentNotAfter;

    public CurrentCertificateHandler(X509Certificate2 certificate, X509Certificate2Collection authorities, TimeProvider time)
    {
        _authorities = authorities;
        _time = time;
        _current = Pool(certificate);
        _currentNotAfter = certificate.NotAfter.ToUniversalTime();
    }

    /// <summary>Sends new requests with <paramref name="certificate"/> (which holds its private key).</summary>
    public void Use(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        HttpMessageInvoker old;
        DateTime oldNotAfter;
        lock (_lock)
        {
            (old, oldNotAfter) = (_current, _currentNotAfter);
            _current = Pool(certificate);
            _currentNotAfter = certificate.NotAfter.ToUniversalTime();
            _retired.Add(old);
        }

        var left = oldNotAfter - _time.GetUtcNow().UtcDateTime;
        _ = RetireAsync(old, left < MaxGrace ? left : MaxGrace);
    }

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        HttpMessageInvoker current;
        lock (_lock)
        {
            current = _current;
        }

        return current.SendAsync(request, cancellationToken);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            lock (_lock)
            {
                _current.Dispose();
                foreach (var retired in _retired)
                {
                    retired.Dispose();
                }

                _retired.Clear();
            }
        }

        base.Dispose(disposing);
    }

    private async Task RetireAsync(HttpMessageInvoker old, TimeSpan grace)
    {
        if (grace > TimeSpan.Zero)
        {
            await Task.Delay(grace, _time).ConfigureAwait(false);
        }

        lock (_lock)
        {
            if (!_retired.Remove(old))
            {
                return;
            }
        }

        old.Dispose();
    }

    private HttpMessageInvoker Pool(X509Certificate2 certificate)
    {
        // As KubernetesClient's own handler: the server's certificate must chain to the cluster CA; HTTP/2 pings.
        var handler = new SocketsHttpHandler
        {
            KeepAlivePingPolicy = HttpKeepAlivePingPolicy.WithActiveRequests,
            KeepAlivePingDelay = TimeSpan.FromMinutes(3),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(30),
            SslOptions = new SslClientAuthenticationOptions
            {
                ClientCertificates = [certificate],
                RemoteCertificateValidationCallback = (sender, server, chain, errors) =>
                    server is not null && chain is not null && Kubernetes.CertificateValidationCallBack(sender, _authorities, server, chain, errors),
            },
        };
        return new HttpMessageInvoker(handler, disposeHandler: true);
    }
}
