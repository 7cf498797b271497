using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Cetus.ApiServer;
using Cetus.Storage;
using Cetus.Storage.Sqlite;
using Cetus.Testing;
using Xunit;

namespace Cetus.ApiServer.Tests.Integration;

/// <summary>
/// A real API server in this process, on a free loopback port, over a real SQLite datastore; clients authenticate
/// with a bearer token. (The end-to-end tests run the cetus binary; these exercise the handlers directly.)
/// </summary>
public sealed class ApiServerFixture : IAsyncLifetime
{
    public const string Token = "test-admin-token";

    private readonly TempDirectory _directory = new("apiserver");
    private IStore? _store;

    public ApiServer Server { get; private set; } = null!;

    public HttpClient Client { get; private set; } = null!;

    public string KubeconfigPath => _directory.File("kubeconfig");

    public async Task InitializeAsync()
    {
        _store = SqliteStore.Open(_directory.File("state.db"), new StoreOptions { Compaction = null });
        Server = await ApiServer.StartAsync(_store, new ApiServerOptions
        {
            SecurePort = 0,
            ServingCertificate = SelfSigned(),
            AuthenticateCertificate = _ => null,
            AuthenticateToken = token => token == Token ? new Cetus.ApiServer.Security.UserInfo("admin", string.Empty, ["system:masters"]) : null,
            Version = new VersionInfo("1", "32", "v1.32.4-cetus.test"),
        });
        var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = HttpClientHandler.DangerousAcceptAnyServerCertificateValidator };
        Client = new HttpClient(handler) { BaseAddress = new Uri(Server.Address) };
        Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        await File.WriteAllTextAsync(KubeconfigPath, $"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: test
              cluster:
                server: {Server.Address}
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
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await Server.DisposeAsync();
        if (_store is not null)
        {
            await _store.DisposeAsync();
        }

        _directory.Dispose();
    }

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
