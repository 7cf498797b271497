using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Cetus.Api.Bootstrap;
using Cetus.Kubelet.Bootstrap;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit;

namespace Cetus.Kubelet.Tests.Bootstrap;

/// <summary>
/// Token discovery against a server that has just started: cetus publishes kube-public/cluster-info just after it
/// starts serving, so a 404 is waited for (like a missing signature) until the timeout, then named clearly.
/// </summary>
public sealed class TokenDiscoveryWaitTests
{
    private const string TokenId = "abcdef";
    private const string TokenSecret = "0123456789abcdef";

    [Fact]
    public async Task ClusterInfoNotPublishedYet_IsWaitedFor()
    {
        await using var server = await ClusterInfoServer.StartAsync(notFoundFirst: 2);

        var ca = await TokenDiscovery.DiscoverCaAsync(server.Url, $"{TokenId}.{TokenSecret}", server.Pin, TimeSpan.FromSeconds(20));

        Assert.Contains(server.Certificate.ExportCertificatePem(), ca, StringComparison.Ordinal);
        Assert.True(server.NotFoundAnswers >= 2);
    }

    [Fact]
    public async Task ClusterInfoNeverPublished_FailsWithWhatToCheck()
    {
        await using var server = await ClusterInfoServer.StartAsync(notFoundFirst: int.MaxValue);

        var error = await Assert.ThrowsAsync<NodeBootstrapException>(() => TokenDiscovery.DiscoverCaAsync(server.Url, $"{TokenId}.{TokenSecret}", server.Pin, TimeSpan.FromSeconds(1)));

        Assert.Contains("kube-public/cluster-info does not exist", error.Message, StringComparison.Ordinal);
        Assert.Contains("still starting", error.Message, StringComparison.Ordinal);
    }

    // An HTTPS server on 127.0.0.1 whose self-signed certificate is the cluster CA; cluster-info answers 404 for the
    // first requests, then the signed kubeconfig.
    private sealed class ClusterInfoServer : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private int _notFound;

        private ClusterInfoServer(WebApplication app, X509Certificate2 certificate)
        {
            _app = app;
            Certificate = certificate;
        }

        public X509Certificate2 Certificate { get; }

        public string Url { get; private set; } = string.Empty;

        public string Pin => ClusterInfo.CaCertHash(Certificate);

        public int NotFoundAnswers => Volatile.Read(ref _notFound);

        public static async Task<ClusterInfoServer> StartAsync(int notFoundFirst)
        {
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var request = new CertificateRequest("CN=cetus-test-ca", key, HashAlgorithmName.SHA256);
            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
            var names = new SubjectAlternativeNameBuilder();
            names.AddIpAddress(IPAddress.Loopback);
            request.CertificateExtensions.Add(names.Build());
            var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));

            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, o => o.UseHttps(certificate)));
            var app = builder.Build();
            var server = new ClusterInfoServer(app, certificate);
            var kubeconfig = $"""
                apiVersion: v1
                kind: Config
                clusters:
                - name: ""
                  cluster:
                    server: https://127.0.0.1
                    certificate-authority-data: {Convert.ToBase64String(System.Text.Encoding.ASCII.GetBytes(certificate.ExportCertificatePem()))}
                contexts: []
                users: []
                """;
            app.MapGet($"/api/v1/namespaces/{ClusterInfo.Namespace}/configmaps/{ClusterInfo.Name}", (HttpContext context) =>
            {
                if (Interlocked.Increment(ref server._notFound) <= notFoundFirst)
                {
                    return Results.NotFound();
                }

                Interlocked.Decrement(ref server._notFound);
                var data = new JsonObject
                {
                    [ClusterInfo.KubeconfigKey] = kubeconfig,
                    [ClusterInfo.SignaturePrefix + TokenId] = ClusterInfo.Sign(kubeconfig, TokenId, TokenSecret),
                };
                return Results.Json(new JsonObject { ["data"] = data });
            });
            await app.StartAsync();
            server.Url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
            return server;
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
            Certificate.Dispose();
        }
    }
}
