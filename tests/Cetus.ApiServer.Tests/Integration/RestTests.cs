using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Xunit;

namespace Cetus.ApiServer.Tests.Integration;

public sealed class RestTests(ApiServerFixture server) : IClassFixture<ApiServerFixture>
{
    private HttpClient Client => server.Client;

    [Fact]
    public async Task Version_ReportsMinor32()
    {
        var version = await Client.GetFromJsonAsync<JsonObject>("/version");
        Assert.Equal("1", (string?)version!["major"]);
        Assert.Equal("32", (string?)version["minor"]);
    }

    [Fact]
    public async Task NoCredentials_Get401Status()
    {
        using var anonymous = new HttpClient(new HttpClientHandler { ServerCertificateCustomValidationCallback = HttpClientHandler.DangerousAcceptAnyServerCertificateValidator }) { BaseAddress = Client.BaseAddress };
        var response = await anonymous.GetAsync("/api/v1/namespaces");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var status = await response.Content.ReadFromJsonAsync<JsonObject>();
        Assert.Equal("Status", (string?)status!["kind"]);
        Assert.Equal(401, (int?)status["code"]);
    }

    [Fact]
    public async Task Get_SeesEveryAcknowledgedWrite_AndAnUnchangedPutKeepsTheResourceVersion()
    {
        var created = await Client.PostAsync("/api/v1/namespaces/default/configmaps", Json("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"read-your-writes"},"data":{"n":"0"}}"""));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var rv = (string?)(await created.Content.ReadFromJsonAsync<JsonObject>())!["metadata"]!["resourceVersion"];
        for (var n = 1; n <= 20; n++)
        {
            // Each GET right after the write's answer must show it (consistent reads, whether the cache or the store answers).
            var put = await Client.PutAsync("/api/v1/namespaces/default/configmaps/read-your-writes", Json($$$"""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"read-your-writes","resourceVersion":"{{{rv}}}"},"data":{"n":"{{{n}}}"}}"""));
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
            var written = await put.Content.ReadFromJsonAsync<JsonObject>();
            rv = (string?)written!["metadata"]!["resourceVersion"];
            var got = await Client.GetFromJsonAsync<JsonObject>("/api/v1/namespaces/default/configmaps/read-your-writes");
            Assert.Equal(n.ToString(System.Globalization.CultureInfo.InvariantCulture), (string?)got!["data"]!["n"]);
            Assert.Equal(rv, (string?)got["metadata"]!["resourceVersion"]);
            Assert.True(JsonNode.DeepEquals(written, got));
        }

        var atLeast = await Client.GetFromJsonAsync<JsonObject>($"/api/v1/namespaces/default/configmaps/read-your-writes?resourceVersion={rv}");
        Assert.Equal(rv, (string?)atLeast!["metadata"]!["resourceVersion"]);
        var any = await Client.GetFromJsonAsync<JsonObject>("/api/v1/namespaces/default/configmaps/read-your-writes?resourceVersion=0");
        Assert.Equal("read-your-writes", (string?)any!["metadata"]!["name"]);
        var missing = await Client.GetAsync("/api/v1/namespaces/default/configmaps/never-was?resourceVersion=0");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);

        // Sending back exactly what was read changes nothing: no new resourceVersion.
        var current = await Client.GetStringAsync("/api/v1/namespaces/default/configmaps/read-your-writes");
        var same = await Client.PutAsync("/api/v1/namespaces/default/configmaps/read-your-writes", Json(current));
        Assert.Equal(HttpStatusCode.OK, same.StatusCode);
        Assert.Equal(rv, (string?)(await same.Content.ReadFromJsonAsync<JsonObject>())!["metadata"]!["resourceVersion"]);
    }

    [Fact]
    public async Task SystemNamespaces_ExistAtStart()
    {
        var list = await Client.GetFromJsonAsync<JsonObject>("/api/v1/namespaces");
        var names = list!["items"]!.AsArray().Select(i => (string?)i!["metadata"]!["name"]).ToList();
        Assert.Contains("default", names);
        Assert.Contains("kube-system", names);
        Assert.Contains("kube-node-lease", names);
    }

    [Fact]
    public async Task ConfigMap_CreateGetUpdateDelete_FollowsKubernetesRules()
    {
        var created = await Client.PostAsync("/api/v1/namespaces/default/configmaps", Json("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"crud"},"data":{"a":"1"}}"""));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = await created.Content.ReadFromJsonAsync<JsonObject>();
        var rv = (string?)body!["metadata"]!["resourceVersion"];
        Assert.False(string.IsNullOrEmpty((string?)body["metadata"]!["uid"]));
        Assert.False(string.IsNullOrEmpty(rv));

        var again = await Client.PostAsync("/api/v1/namespaces/default/configmaps", Json("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"crud"}}"""));
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal("AlreadyExists", (string?)(await again.Content.ReadFromJsonAsync<JsonObject>())!["reason"]);

        var update = await Client.PutAsync("/api/v1/namespaces/default/configmaps/crud", Json($$$"""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"crud","resourceVersion":"{{{rv}}}"},"data":{"a":"2"}}"""));
        Assert.Equal(HttpStatusCode.OK, update.StatusCode);
        var stale = await Client.PutAsync("/api/v1/namespaces/default/configmaps/crud", Json($$$"""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"crud","resourceVersion":"{{{rv}}}"},"data":{"a":"3"}}"""));
        Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);

        var got = await Client.GetFromJsonAsync<JsonObject>("/api/v1/namespaces/default/configmaps/crud");
        Assert.Equal("2", (string?)got!["data"]!["a"]);

        var deleted = await Client.DeleteAsync("/api/v1/namespaces/default/configmaps/crud");
        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        var missing = await Client.GetAsync("/api/v1/namespaces/default/configmaps/crud");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("configmaps \"crud\" not found", (string?)(await missing.Content.ReadFromJsonAsync<JsonObject>())!["message"]);
    }

    [Fact]
    public async Task Create_InAMissingNamespace_Is404()
    {
        var response = await Client.PostAsync("/api/v1/namespaces/nowhere/configmaps", Json("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x"}}"""));
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("namespaces \"nowhere\" not found", (string?)(await response.Content.ReadFromJsonAsync<JsonObject>())!["message"]);
    }

    [Fact]
    public async Task Watch_FromAResourceVersion_StreamsLaterChanges()
    {
        var list = await Client.GetFromJsonAsync<JsonObject>("/api/v1/namespaces/default/configmaps");
        var rv = (string?)list!["metadata"]!["resourceVersion"];
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/namespaces/default/configmaps?watch=true&resourceVersion={rv}&timeoutSeconds=30");
        using var response = await Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());

        await Client.PostAsync("/api/v1/namespaces/default/configmaps", Json("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"watched"}}"""));
        await Client.DeleteAsync("/api/v1/namespaces/default/configmaps/watched");

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var first = JsonNode.Parse((await reader.ReadLineAsync(timeout.Token))!)!;
        var second = JsonNode.Parse((await reader.ReadLineAsync(timeout.Token))!)!;
        Assert.Equal("ADDED", (string?)first["type"]);
        Assert.Equal("watched", (string?)first["object"]!["metadata"]!["name"]);
        Assert.Equal("DELETED", (string?)second["type"]);
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");
}
