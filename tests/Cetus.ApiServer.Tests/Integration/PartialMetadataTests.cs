using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Xunit;

namespace Cetus.ApiServer.Tests.Integration;

/// <summary>
/// Metadata only, as client-go's metadata client asks for it (Accept as=PartialObjectMetadata or
/// as=PartialObjectMetadataList, g=meta.k8s.io, v=v1): gets, lists and watches answer with the objects' metadata and
/// nothing else; a single object asked for as a list, or a list as a single object, is 406 NotAcceptable.
/// </summary>
public sealed class PartialMetadataTests(ApiServerFixture server) : IClassFixture<ApiServerFixture>
{
    private const string Metadata = "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1";
    private const string MetadataList = "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1";
    private const string Path = "/api/v1/namespaces/default/configmaps";

    private HttpClient Client => server.Client;

    [Fact]
    public async Task Get_AsPartialObjectMetadata_IsTheObjectsMetadataAndNothingElse()
    {
        await CreateAsync("pom-get", "pom=get");
        var full = await Client.GetFromJsonAsync<JsonObject>($"{Path}/pom-get");

        var partial = await GetJsonAsync($"{Path}/pom-get", "application/vnd.kubernetes.protobuf;as=PartialObjectMetadata;g=meta.k8s.io;v=v1," + Metadata);

        Assert.Equal("PartialObjectMetadata", (string?)partial["kind"]);
        Assert.Equal("meta.k8s.io/v1", (string?)partial["apiVersion"]);
        Assert.True(JsonNode.DeepEquals(full!["metadata"], partial["metadata"]), partial.ToJsonString());
        Assert.Equal(["apiVersion", "kind", "metadata"], partial.Select(p => p.Key).Order());
        using (var response = await SendAsync($"{Path}/pom-get", Metadata))
        {
            Assert.Equal(Metadata, response.Content.Headers.ContentType!.ToString().Replace("; ", ";", StringComparison.Ordinal));
        }

        var beta = await GetJsonAsync($"{Path}/pom-get", "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1beta1");
        Assert.Equal("meta.k8s.io/v1beta1", (string?)beta["apiVersion"]);
    }

    [Fact]
    public async Task List_AsPartialObjectMetadataList_PagesTheItemsMetadata()
    {
        await CreateAsync("pom-list-a", "pom=list");
        await CreateAsync("pom-list-b", "pom=list");

        var first = await GetJsonAsync($"{Path}?labelSelector=pom%3Dlist&limit=1", MetadataList);
        Assert.Equal("PartialObjectMetadataList", (string?)first["kind"]);
        Assert.Equal("meta.k8s.io/v1", (string?)first["apiVersion"]);
        Assert.False(string.IsNullOrEmpty((string?)first["metadata"]!["resourceVersion"]));
        var item = first["items"]!.AsArray().Single()!;
        Assert.Equal("PartialObjectMetadata", (string?)item["kind"]);
        Assert.Equal("pom-list-a", (string?)item["metadata"]!["name"]);
        Assert.Equal("list", (string?)item["metadata"]!["labels"]!["pom"]);
        Assert.Null(item["data"]);

        var next = await GetJsonAsync($"{Path}?labelSelector=pom%3Dlist&limit=1&continue={Uri.EscapeDataString((string)first["metadata"]!["continue"]!)}", MetadataList);
        Assert.Equal("pom-list-b", (string?)next["items"]!.AsArray().Single()!["metadata"]!["name"]);
    }

    [Fact]
    public async Task Watch_AsPartialObjectMetadata_SendsEachEventsMetadata()
    {
        var list = await GetJsonAsync(Path, MetadataList);
        var from = (string)list["metadata"]!["resourceVersion"]!;
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{Path}?watch=true&resourceVersion={from}&timeoutSeconds=30&fieldSelector=metadata.name%3Dpom-watch");
        request.Headers.Accept.ParseAdd(Metadata);
        using var watching = await Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, watching.StatusCode);
        await CreateAsync("pom-watch", "pom=watch");

        using var events = new StreamReader(await watching.Content.ReadAsStreamAsync());
        var added = JsonNode.Parse((await events.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30)))!)!;
        Assert.Equal("ADDED", (string?)added["type"]);
        Assert.Equal("PartialObjectMetadata", (string?)added["object"]!["kind"]);
        Assert.Equal("pom-watch", (string?)added["object"]!["metadata"]!["name"]);
        Assert.Null(added["object"]!["data"]);
    }

    [Fact]
    public async Task ObjectAsList_OrListAsObject_Is406NotAcceptable()
    {
        await CreateAsync("pom-406", "pom=406");

        var get = await SendAsync($"{Path}/pom-406", MetadataList);
        Assert.Equal(HttpStatusCode.NotAcceptable, get.StatusCode);
        var status = await get.Content.ReadFromJsonAsync<JsonObject>();
        Assert.Equal("NotAcceptable", (string?)status!["reason"]);
        Assert.Equal("you requested PartialObjectMetadataList, but the requested object is not a list (*v1.ConfigMap)", (string?)status["message"]);

        var list = await SendAsync(Path, Metadata);
        Assert.Equal(HttpStatusCode.NotAcceptable, list.StatusCode);
        Assert.Equal("you requested PartialObjectMetadata, but the requested object is a list (*v1.ConfigMapList)", (string?)(await list.Content.ReadFromJsonAsync<JsonObject>())!["message"]);
    }

    private async Task CreateAsync(string name, string label)
    {
        var (key, value) = (label.Split('=')[0], label.Split('=')[1]);
        using var created = await Client.PostAsync(Path, new StringContent($$$"""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"{{{name}}}","labels":{"{{{key}}}":"{{{value}}}"}},"data":{"secret-ish":"not in metadata"}}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
    }

    private async Task<HttpResponseMessage> SendAsync(string url, string accept)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.TryAddWithoutValidation("Accept", accept);
        return await Client.SendAsync(request);
    }

    private async Task<JsonObject> GetJsonAsync(string url, string accept)
    {
        using var response = await SendAsync(url, accept);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }
}
