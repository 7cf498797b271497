using System.Net;
using System.Text.Json.Nodes;
using Cetus.Testing;
using Xunit;

namespace Cetus.E2E.Tests.Authorization;

/// <summary>Requests without credentials: 401 by default; with --anonymous-auth, system:anonymous may read the health and version endpoints and nothing else (403).</summary>
public sealed class AnonymousAuthTests
{
    [Fact]
    public async Task WithoutTheFlag_EverythingIs401()
    {
        await using var server = await CetusServerProcess.StartAsync(arguments: ["--disable-controller-manager"]);
        using var client = Anonymous(server);

        foreach (var path in new[] { "/version", "/healthz", "/api", "/api/v1/namespaces/default/pods" })
        {
            using var response = await client.GetAsync(path);
            Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{path}: {response.StatusCode}");
        }
    }

    [Fact]
    public async Task WithTheFlag_HealthAndVersionAreOpen_TheRestIsForbidden()
    {
        await using var server = await CetusServerProcess.StartAsync(arguments: ["--disable-controller-manager", "--anonymous-auth"]);
        using var client = Anonymous(server);

        foreach (var path in new[] { "/version", "/healthz", "/livez", "/readyz" })
        {
            using var response = await client.GetAsync(path);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {response.StatusCode}");
        }

        using var api = await client.GetAsync("/api");
        using var pods = await client.GetAsync("/api/v1/namespaces/default/pods");
        using var metrics = await client.GetAsync("/metrics");

        Assert.Equal(HttpStatusCode.Forbidden, api.StatusCode);
        Assert.Equal("forbidden: User \"system:anonymous\" cannot get path \"/api\"", (string?)JsonNode.Parse(await api.Content.ReadAsStringAsync())!["message"]);
        Assert.Equal(HttpStatusCode.Forbidden, pods.StatusCode);
        Assert.Equal("pods is forbidden: User \"system:anonymous\" cannot list resource \"pods\" in API group \"\" in the namespace \"default\"", (string?)JsonNode.Parse(await pods.Content.ReadAsStringAsync())!["message"]);
        Assert.Equal(HttpStatusCode.Forbidden, metrics.StatusCode);
    }

    private static HttpClient Anonymous(CetusServerProcess server) =>
        new(new SocketsHttpHandler { SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true } }) { BaseAddress = new Uri(server.Address), Timeout = TimeSpan.FromSeconds(30) };
}
