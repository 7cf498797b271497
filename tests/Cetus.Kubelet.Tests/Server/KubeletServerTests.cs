using System.Net;
using System.Net.Http;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Cetus.Cri.Fake;
using Cetus.Kubelet.Server;
using Xunit;

namespace Cetus.Kubelet.Tests.Server;

/// <summary>
/// The kubelet's HTTPS server lets only the API server in: a client certificate from the cluster CA named
/// kube-apiserver-kubelet-client. Everyone else gets a Status (401, 403) or no TLS session at all.
/// </summary>
public sealed class KubeletServerTests : IAsyncLifetime
{
    private readonly X509Certificate2 _ca = CreateCa("cluster-ca");
    private KubeletServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await KubeletServer.StartAsync(new KubeletServerOptions
        {
            NodeName = "node-a",
            BindAddress = "127.0.0.1",
            Port = 0,
            ServingCertificate = Issue(_ca, "system:node:node-a", server: true),
            ClientCertificateAuthority = X509CertificateLoader.LoadCertificate(_ca.RawData),
        }, new FakeRuntime());
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task TheApiServersCertificate_GetsIn()
    {
        using var client = Client(Issue(_ca, KubeletServerOptions.ApiServerClientName, server: false));
        Assert.Equal("ok", await client.GetStringAsync($"{_server.Address}/healthz"));
    }

    [Fact]
    public async Task NoCertificate_Is401_AndAnotherNameFromTheSameCa_Is403()
    {
        using var anonymous = Client(null);
        var response = await anonymous.GetAsync($"{_server.Address}/healthz");
        Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, await response.Content.ReadAsStringAsync());
        Assert.Contains("\"reason\":\"Unauthorized\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var admin = Client(Issue(_ca, "system:admin", server: false));
        response = await admin.GetAsync($"{_server.Address}/containerLogs/default/web/app");
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("only the API server may call the kubelet", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ACertificateFromAnotherCa_GetsNoSession()
    {
        using var stranger = Client(Issue(CreateCa("other-ca"), KubeletServerOptions.ApiServerClientName, server: false));
        await Assert.ThrowsAsync<HttpRequestException>(() => stranger.GetAsync($"{_server.Address}/healthz"));
    }

    [Fact]
    public async Task BadRequests_AreStatuses_NotCrashes()
    {
        using var client = Client(Issue(_ca, KubeletServerOptions.ApiServerClientName, server: false));
        var unknownPath = await client.GetAsync($"{_server.Address}/nope");
        Assert.Equal(HttpStatusCode.NotFound, unknownPath.StatusCode);

        var noPod = await client.GetAsync($"{_server.Address}/containerLogs/default/missing/app");
        Assert.Equal(HttpStatusCode.NotFound, noPod.StatusCode);
        Assert.Contains("has no sandbox on this node", await noPod.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var badOptions = await client.GetAsync($"{_server.Address}/containerLogs/default/missing/app?tailLines=-3");
        Assert.Equal(HttpStatusCode.BadRequest, badOptions.StatusCode);

        // The container is looked for before the protocol: kubectl, retrying over SPDY, shows why it cannot reach it.
        var noContainer = await client.GetAsync($"{_server.Address}/exec/default/web/app?command=ls&stdout=1");
        Assert.Equal(HttpStatusCode.NotFound, noContainer.StatusCode);
        var status = System.Text.Json.Nodes.JsonNode.Parse(await noContainer.Content.ReadAsStringAsync())!;
        Assert.Equal("NotFound", (string?)status["reason"]);
        Assert.Contains("container not found (\"app\")", (string?)status["message"], StringComparison.Ordinal);

        var noCommand = await client.GetAsync($"{_server.Address}/exec/default/web/app?stdout=1");
        Assert.Contains("you must specify at least one command", await noCommand.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var portForward = await client.GetAsync($"{_server.Address}/portForward/default/web");
        Assert.Equal(HttpStatusCode.BadRequest, portForward.StatusCode);

        Assert.Equal("ok", await client.GetStringAsync($"{_server.Address}/healthz"));
    }

    [Fact]
    public async Task StatsSummary_NamesTheNode()
    {
        using var client = Client(Issue(_ca, KubeletServerOptions.ApiServerClientName, server: false));
        var summary = Cetus.Api.Stats.StatsSummary.FromJson(await client.GetByteArrayAsync($"{_server.Address}/stats/summary"));
        Assert.Equal("node-a", summary.Node?.NodeName);
    }

    private HttpClient Client(X509Certificate2? certificate)
    {
        var trust = X509CertificateLoader.LoadCertificate(_ca.RawData);
        var handler = new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, presented, _, _) =>
            {
                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.Add(trust);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                return presented is not null && chain.Build(presented);
            },
        };
        if (certificate is not null)
        {
            handler.ClientCertificateOptions = ClientCertificateOption.Manual;
            handler.ClientCertificates.Add(certificate);
        }

        return new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(10) };
    }

    private static X509Certificate2 CreateCa(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
    }

    private static X509Certificate2 Issue(X509Certificate2 ca, string commonName, bool server)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={commonName}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(server ? "1.3.6.1.5.5.7.3.1" : "1.3.6.1.5.5.7.3.2")], false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));
        if (server)
        {
            var names = new SubjectAlternativeNameBuilder();
            names.AddIpAddress(IPAddress.Loopback);
            request.CertificateExtensions.Add(names.Build());
        }

        using var signed = request.Create(ca, DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddHours(1), RandomNumberGenerator.GetBytes(16));
        return X509CertificateLoader.LoadPkcs12(signed.CopyWithPrivateKey(key).Export(X509ContentType.Pkcs12), null);
    }
}
