using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Cetus.Client.Security;
using k8s;

namespace Cetus.Kubelet.Bootstrap;

/// <summary>
/// Renews the node's client certificate while the agent runs, as the kubelet's certificate manager
/// (k8s.io/client-go/util/certificate) does with rotateCertificates: at a random point between 70 % and 90 % of the
/// current certificate's lifetime it makes a new ECDSA P-256 key, asks for a certificate with a
/// CertificateSigningRequest of signer <c>kubernetes.io/kube-apiserver-client-kubelet</c> made with the current
/// certificate (the approver grants it through <c>selfnodeclient</c>), replaces <c>DIR/kubelet.kubeconfig</c> and
/// <c>DIR/kubelet-client.key</c> (each written whole, then renamed), and switches the node's client to it: new
/// requests go out with the new certificate at once, without a restart. A failed attempt is tried again after 2 s,
/// doubling to at most 5 minutes.
/// </summary>
public sealed class ClientCertificateRotation : IDisposable
{
    private static readonly TimeSpan FirstRetry = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan LastRetry = TimeSpan.FromMinutes(5);

    private readonly NodeBootstrapOptions _options;
    private readonly Func<double> _jitter;
    private readonly CurrentCertificateHandler _handler;
    private readonly X509Certificate2Collection _authorities = [];
    private X509Certificate2 _current;

    /// <summary>
    /// Starts from the certificate in <c>DIR/kubelet.kubeconfig</c> (<see cref="NodeBootstrap.EnsureKubeconfigAsync"/>
    /// wrote it). <paramref name="jitter"/> returns a number in [0, 1) (default: a random one) that picks the point
    /// between 70 % and 90 %.
    /// </summary>
    public ClientCertificateRotation(NodeBootstrapOptions options, Func<double>? jitter = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _jitter = jitter ?? Random.Shared.NextDouble;
        _authorities.ImportFromPem(options.CaPem);
        _current = ReadKubeconfig(Path.Combine(options.Directory, NodeBootstrap.KubeconfigFile));
        _handler = new CurrentCertificateHandler(_current, _authorities, options.Time);
    }

    /// <summary>The certificate (with its key) the node's client presents now.</summary>
    public X509Certificate2 Current => Volatile.Read(ref _current);

    /// <summary>Raised after each renewal, with the new certificate.</summary>
    public event Action<X509Certificate2>? Rotated;

    /// <summary>
    /// The node's API client: KubernetesClient's pipeline with the in-flight bound and 429 retries every Cetus client
    /// has, ending in a handler that presents <see cref="Current"/>.
    /// Dispose the client before this object.
    /// </summary>
    public Kubernetes CreateClient()
    {
        var config = new KubernetesClientConfiguration { Host = _options.ServerUrl, SslCaCerts = _authorities };
        return new Kubernetes(config, new Cetus.Client.Http.InFlightLimitHandler(), new Cetus.Client.Http.RetryAfterHandler(), new Cetus.Client.Http.WatchConnectionHandler(), _handler);
    }

    /// <summary>When a certificate valid from <paramref name="notBefore"/> to <paramref name="notAfter"/> is renewed: at 70 % + 20 % × <paramref name="jitter"/> of its lifetime.</summary>
    public static DateTimeOffset Deadline(DateTimeOffset notBefore, DateTimeOffset notAfter, double jitter) =>
        notBefore + (notAfter - notBefore) * (0.7 + (0.2 * Math.Clamp(jitter, 0, 1)));

    /// <summary>Renews the certificate at each deadline until cancelled; reports each step on <paramref name="progress"/>.</summary>
    public async Task RunAsync(IKubernetes client, Action<string>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        while (!cancellationToken.IsCancellationRequested)
        {
            var current = Current;
            var deadline = Deadline(current.NotBefore.ToUniversalTime(), current.NotAfter.ToUniversalTime(), _jitter());
            progress?.Invoke($"node client certificate (serial {current.SerialNumber}, valid until {current.NotAfter.ToUniversalTime():yyyy-MM-ddTHH:mm:ssZ}) will be renewed at {deadline.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}");
            var wait = deadline - _options.Time.GetUtcNow();
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, _options.Time, cancellationToken).ConfigureAwait(false);
            }

            var retry = FirstRetry;
            while (true)
            {
                try
                {
                    var renewed = await RotateAsync(client, cancellationToken).ConfigureAwait(false);
                    progress?.Invoke($"node client certificate renewed: serial {renewed.SerialNumber}, valid until {renewed.NotAfter.ToUniversalTime():yyyy-MM-ddTHH:mm:ssZ}");
                    break;
                }
                catch (Exception e) when (e is NodeBootstrapException or HttpRequestException or IOException or CryptographicException)
                {
                    progress?.Invoke($"renewing the node client certificate failed, trying again in {retry.TotalSeconds:0} s: {e.Message}");
                }

                await Task.Delay(retry, _options.Time, cancellationToken).ConfigureAwait(false);
                retry = retry * 2 < LastRetry ? retry * 2 : LastRetry;
            }
        }
    }

    /// <summary>One renewal: a new key, a request made through <paramref name="client"/>, the files replaced, the client switched.</summary>
    public async Task<X509Certificate2> RotateAsync(IKubernetes client, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        var user = "system:node:" + _options.NodeName;
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var pem = new CertificateRequest(new X500DistinguishedName($"O=system:nodes, CN={user}"), key, HashAlgorithmName.SHA256).CreateSigningRequestPem();
        var name = CertificateRequester.Name("node-csr-", key, user);
        var csr = await CertificateRequester.CreateAsync(client, name, pem, NodeBootstrap.SignerName, ["digital signature", "client auth"], CertificateRequester.ExplainForNode, cancellationToken).ConfigureAwait(false);
        var issuedPem = await CertificateRequester.WaitForCertificateAsync(client, csr, _options.Timeout, _options.Time, CertificateRequester.ExplainForNode, cancellationToken).ConfigureAwait(false);

        X509Certificate2 renewed;
        using (var issued = X509Certificate2.CreateFromPem(issuedPem))
        {
            if (issued.GetNameInfo(X509NameType.SimpleName, false) != user
                || !issued.PublicKey.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(key.ExportSubjectPublicKeyInfo()))
            {
                throw new NodeBootstrapException($"the certificate issued for {name} is not for {user} and the new key");
            }

            renewed = issued.CopyWithPrivateKey(key);
        }

        // The kubeconfig (certificate and key together) first: whatever happens next, it is a working pair.
        var keyPem = key.ExportPkcs8PrivateKeyPem() + "\n";
        CertificateRequester.WritePrivate(Path.Combine(_options.Directory, NodeBootstrap.KubeconfigFile), NodeBootstrap.Kubeconfig(_options.ServerUrl, _options.CaPem, user, issuedPem, keyPem));
        CertificateRequester.WritePrivate(Path.Combine(_options.Directory, NodeBootstrap.KeyFile), keyPem);
        _handler.Use(renewed);
        Interlocked.Exchange(ref _current, renewed);
        Rotated?.Invoke(renewed);
        return renewed;
    }

    /// <inheritdoc />
    public void Dispose() => _handler.Dispose();

    private static X509Certificate2 ReadKubeconfig(string path)
    {
        var config = KubeconfigFile.Load(path);
        if (config.ClientCertificateData is null || config.ClientCertificateKeyData is null)
        {
            throw new NodeBootstrapException($"{path} holds no client certificate and key");
        }

        return X509Certificate2.CreateFromPem(
            Encoding.ASCII.GetString(Convert.FromBase64String(config.ClientCertificateData)),
            Encoding.ASCII.GetString(Convert.FromBase64String(config.ClientCertificateKeyData)));
    }
}
