using System.Security.Cryptography.X509Certificates;
using Cetus.ApiServer.Security;
using Cetus.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Xunit;

namespace Cetus.ApiServer.Tests.Security;

/// <summary>The PKI in use: Kestrel serves the serving certificate, and real clients (HttpClient, kubectl) connect with the admin identity.</summary>
public sealed class TlsEndToEndTests : IDisposable
{
    private readonly TempDirectory _dir = new("tls");
    private readonly ClusterPki _pki;

    public TlsEndToEndTests()
    {
        _pki = ClusterPki.LoadOrCreate(_dir.File("data"), []);
    }

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Kestrel_ServesTheServingCertificate_AndAuthenticatesTheAdminClientCertificate()
    {
        await using var server = await StartAsync();
        X509Certificate2? presented = null;
        using var handler = new SocketsHttpHandler();
        handler.SslOptions.ClientCertificates = [_pki.Admin.ToCertificate()];
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, _) =>
        {
            presented = certificate is null ? null : X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
            return presented is not null && TrustedByClusterCa(presented);
        };
        using var client = new HttpClient(handler) { BaseAddress = new Uri($"https://localhost:{server.Address.Port}") };

        var body = await client.GetStringAsync("/whoami");

        Assert.Equal("system:admin system:masters", body);
        Assert.Equal(_pki.ServingCertificate.Thumbprint, presented!.Thumbprint);
    }

    [Fact]
    public async Task Kestrel_RefusesAClientCertificateFromAnotherCa()
    {
        using var other = new TempDirectory("tls-other");
        var foreign = ClusterPki.LoadOrCreate(other.Path, []);
        await using var server = await StartAsync();
        using var handler = new SocketsHttpHandler();
        handler.SslOptions.ClientCertificates = [foreign.Admin.ToCertificate()];
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate is not null;
        using var client = new HttpClient(handler) { BaseAddress = server.Address };

        using var response = await client.GetAsync(new Uri($"https://127.0.0.1:{server.Address.Port}/whoami"));

        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("not signed by the cluster CA", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Kubectl_TrustsTheServer_AndPresentsTheAdminCertificate_FromTheWrittenKubeconfig()
    {
        await using var server = await StartAsync();
        var kubeconfig = _dir.File("admin.kubeconfig");
        Kubeconfig.Write(kubeconfig, $"https://127.0.0.1:{server.Address.Port}", _pki.CaCertificatePem, _pki.Admin.CertificatePem, _pki.Admin.KeyPem);

        var (exit, output, error) = await Cetus.Testing.Kubectl.RunBareAsync("--kubeconfig", kubeconfig, "get", "--raw", "/whoami");

        Assert.True(exit == 0, error);
        Assert.Equal("system:admin system:masters", output.Trim());
    }

    private bool TrustedByClusterCa(X509Certificate2 certificate)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(_pki.CaCertificate);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate);
    }

    private Task<LocalServer> StartAsync()
    {
        var validator = new ClientCertificateValidator(_pki.CaCertificate);
        return LocalServer.StartAsync(
            listen => listen.UseHttps(https =>
            {
                https.ServerCertificate = _pki.ServingCertificate;
                https.ClientCertificateMode = ClientCertificateMode.AllowCertificate;
                // Trust is decided by the validator in the request, as the API server will, not by the TLS layer.
                https.AllowAnyClientCertificate();
            }),
            app =>
            {
                app.MapGet("/version", () => Results.Json(new { major = "1", minor = "32", gitVersion = "v1.32.4" }));
                app.MapGet("/whoami", (HttpContext context) =>
                {
                    var certificate = context.Connection.ClientCertificate;
                    if (certificate is null)
                    {
                        return Results.Text("no client certificate", statusCode: 401);
                    }

                    var result = validator.Validate(certificate);
                    return result.User is { } user
                        ? Results.Text($"{user.Name} {string.Join(',', user.Groups)}")
                        : Results.Text(result.Rejection, statusCode: 401);
                });
            });
    }
}
