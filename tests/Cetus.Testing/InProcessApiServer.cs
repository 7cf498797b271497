using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Cetus.ApiServer;
using Cetus.ApiServer.Security;
using Cetus.Storage;

namespace Cetus.Testing;

/// <summary>
/// A real API server in this process on a free loopback port over a given datastore, with a self-signed serving
/// certificate; clients authenticate with a bearer token. For handler tests and benchmarks; the end-to-end tests run
/// the cetus binary instead (<see cref="CetusServerProcess"/>).
/// </summary>
public sealed class InProcessApiServer : IAsyncDisposable
{
    /// <summary>The token of the admin user.</summary>
    public const string Token = "test-admin-token";

    private InProcessApiServer(ApiServer.ApiServer server) => Server = server;

    /// <summary>The server.</summary>
    public ApiServer.ApiServer Server { get; }

    /// <summary>https://127.0.0.1:PORT.</summary>
    public string Address => Server.Address;

    /// <summary>Starts the server over <paramref name="store"/>.</summary>
    public static Task<InProcessApiServer> StartAsync(IStore store) => StartAsync(store, options => options);

    /// <summary>Starts the server over <paramref name="store"/> with the options <paramref name="configure"/> makes of the defaults.</summary>
    public static async Task<InProcessApiServer> StartAsync(IStore store, Func<ApiServerOptions, ApiServerOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        return new(await ApiServer.ApiServer.StartAsync(store, configure(new ApiServerOptions
        {
            SecurePort = 0,
            ServingCertificate = SelfSigned(),
            AuthenticateCertificate = _ => null,
            AuthenticateToken = token => token == Token ? new UserInfo("admin", string.Empty, ["system:masters"]) : null,
            Version = new VersionInfo("1", "32", "v1.32.4-cetus.test"),
            // No controller manager runs here to create the default service accounts (upstream's integration tests
            // turn the plugin off likewise); the plugin is tested against a real cetus server.
            DisabledAdmissionPlugins = new HashSet<string>(StringComparer.Ordinal) { "ServiceAccount" },
        })));
    }

    /// <summary>
    /// An HTTP client that trusts the server and sends the admin token: HTTP/1.1 over up to
    /// <paramref name="maxConnections"/> connections, or with <paramref name="http2"/> HTTP/2 as kubectl and the
    /// official clients speak it (streams multiplexed, more connections only when one is full).
    /// </summary>
    public HttpClient CreateClient(int maxConnections = 64, bool http2 = false)
    {
        var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = maxConnections,
            EnableMultipleHttp2Connections = http2,
            SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true },
        };
        var client = new HttpClient(handler) { BaseAddress = new Uri(Address), Timeout = TimeSpan.FromMinutes(5) };
        if (http2)
        {
            client.DefaultRequestVersion = System.Net.HttpVersion.Version20;
            client.DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact;
        }

        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        return client;
    }

    /// <summary>Writes a kubeconfig for kubectl that uses the token and skips TLS verification.</summary>
    public Task WriteKubeconfigAsync(string path) => File.WriteAllTextAsync(path, $"""
        apiVersion: v1
        kind: Config
        clusters:
        - name: test
          cluster:
            server: {Address}
            insecure-skip-tls-verify: true
        users:
        - name: admin
          user:
            token: {Token}
        contexts:
        - name: test
          context:
            cluster: test
            user: admin
        current-context: test
        """);

    /// <inheritdoc />
    public ValueTask DisposeAsync() => Server.DisposeAsync();

    private static X509Certificate2 SelfSigned()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        var sans = new SubjectAlternativeNameBuilder();
        sans.AddDnsName("localhost");
        sans.AddIpAddress(System.Net.IPAddress.Loopback);
        request.CertificateExtensions.Add(sans.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null);
    }
}
