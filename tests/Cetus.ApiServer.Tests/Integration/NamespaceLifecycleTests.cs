using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Xunit;

namespace Cetus.ApiServer.Tests.Integration;

/// <summary>
/// The namespace lifecycle of kube-apiserver (no controllers run here): DELETE marks a namespace Terminating,
/// creations in it are refused, PUT …/finalize empties spec.finalizers and the namespace goes when both finalizer
/// lists are empty; default, kube-system and kube-public cannot be deleted.
/// </summary>
public sealed class NamespaceLifecycleTests(ApiServerFixture server) : IClassFixture<ApiServerFixture>
{
    private HttpClient Client => server.Client;

    [Fact]
    public async Task Create_SetsTheKubernetesSpecFinalizerAndPhaseActive()
    {
        var ns = await CreateNamespaceAsync("lifecycle-create");

        Assert.Equal(["kubernetes"], ns["spec"]!["finalizers"]!.AsArray().Select(f => (string?)f));
        Assert.Equal("Active", (string?)ns["status"]!["phase"]);
    }

    [Fact]
    public async Task Delete_MarksTerminating_RefusesNewContent_AndFinalizeRemovesIt()
    {
        await CreateNamespaceAsync("lifecycle-delete");
        Assert.Equal(HttpStatusCode.Created, (await Client.PostAsync("/api/v1/namespaces/lifecycle-delete/configmaps", Json("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"before"}}"""))).StatusCode);

        var deleted = await Client.DeleteAsync("/api/v1/namespaces/lifecycle-delete");
        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        var terminating = (await deleted.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal("Namespace", (string?)terminating["kind"]);
        Assert.Equal("Terminating", (string?)terminating["status"]!["phase"]);
        Assert.NotNull(terminating["metadata"]!["deletionTimestamp"]);

        // Still there, content and all, until the namespace controller finalizes it.
        var got = (await Client.GetFromJsonAsync<JsonObject>("/api/v1/namespaces/lifecycle-delete"))!;
        Assert.Equal("Terminating", (string?)got["status"]!["phase"]);
        Assert.Equal(HttpStatusCode.OK, (await Client.GetAsync("/api/v1/namespaces/lifecycle-delete/configmaps/before")).StatusCode);

        var refused = await Client.PostAsync("/api/v1/namespaces/lifecycle-delete/configmaps", Json("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"after"}}"""));
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        var status = (await refused.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal("Forbidden", (string?)status["reason"]);
        Assert.Equal("configmaps \"after\" is forbidden: unable to create new content in namespace lifecycle-delete because it is being terminated", (string?)status["message"]);
        var cause = status["details"]!["causes"]![0]!;
        Assert.Equal(("NamespaceTerminating", "metadata.namespace"), ((string?)cause["reason"], (string?)cause["field"]));

        // A second DELETE changes nothing while spec.finalizers remain.
        var again = (await (await Client.DeleteAsync("/api/v1/namespaces/lifecycle-delete")).Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal((string?)terminating["metadata"]!["resourceVersion"], (string?)again["metadata"]!["resourceVersion"]);

        got["spec"]!["finalizers"] = new JsonArray();
        var finalized = await Client.PutAsync("/api/v1/namespaces/lifecycle-delete/finalize", Json(got.ToJsonString()));
        Assert.Equal(HttpStatusCode.OK, finalized.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Client.GetAsync("/api/v1/namespaces/lifecycle-delete")).StatusCode);
    }

    [Fact]
    public async Task Finalize_WithMetadataFinalizersLeft_KeepsTheNamespaceUntilTheyAreRemoved()
    {
        await CreateNamespaceAsync("lifecycle-meta", """["example.com/keep"]""");
        Assert.Equal(HttpStatusCode.OK, (await Client.DeleteAsync("/api/v1/namespaces/lifecycle-meta")).StatusCode);

        var got = (await Client.GetFromJsonAsync<JsonObject>("/api/v1/namespaces/lifecycle-meta"))!;
        got["spec"]!["finalizers"] = new JsonArray();
        got["status"]!["phase"] = "Active";
        Assert.Equal(HttpStatusCode.OK, (await Client.PutAsync("/api/v1/namespaces/lifecycle-meta/finalize", Json(got.ToJsonString()))).StatusCode);
        var kept = (await Client.GetFromJsonAsync<JsonObject>("/api/v1/namespaces/lifecycle-meta"))!;
        Assert.Empty(kept["spec"]!["finalizers"]?.AsArray() ?? []);
        Assert.Equal("Terminating", (string?)kept["status"]!["phase"]);

        var patch = new StringContent("""{"metadata":{"finalizers":null}}""", Encoding.UTF8, "application/merge-patch+json");
        Assert.Equal(HttpStatusCode.OK, (await Client.PatchAsync("/api/v1/namespaces/lifecycle-meta", patch)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Client.GetAsync("/api/v1/namespaces/lifecycle-meta")).StatusCode);
    }

    [Fact]
    public async Task Finalize_RefusesAnInvalidFinalizerName()
    {
        var ns = await CreateNamespaceAsync("lifecycle-invalid");
        ns["spec"]!["finalizers"] = new JsonArray("not a name");

        var response = await Client.PutAsync("/api/v1/namespaces/lifecycle-invalid/finalize", Json(ns.ToJsonString()));

        Assert.Equal((HttpStatusCode)422, response.StatusCode);
    }

    [Fact]
    public async Task Delete_WithOrphanPropagation_AddsTheOrphanFinalizer()
    {
        await CreateNamespaceAsync("lifecycle-orphan");

        var deleted = await Client.DeleteAsync("/api/v1/namespaces/lifecycle-orphan?propagationPolicy=Orphan");

        var ns = (await deleted.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal(["orphan"], ns["metadata"]!["finalizers"]!.AsArray().Select(f => (string?)f));
    }

    [Theory]
    [InlineData("default")]
    [InlineData("kube-system")]
    [InlineData("kube-public")]
    public async Task Delete_ImmortalNamespace_Is403(string name)
    {
        var response = await Client.DeleteAsync($"/api/v1/namespaces/{name}");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var status = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal($"namespaces \"{name}\" is forbidden: this namespace may not be deleted", (string?)status["message"]);
        Assert.Equal(("namespaces", name), ((string?)status["details"]!["kind"], (string?)status["details"]!["name"]));
        var ns = (await Client.GetFromJsonAsync<JsonObject>($"/api/v1/namespaces/{name}"))!;
        Assert.Null(ns["metadata"]!["deletionTimestamp"]);
    }

    private async Task<JsonObject> CreateNamespaceAsync(string name, string finalizers = "null")
    {
        var response = await Client.PostAsync("/api/v1/namespaces", Json($$$"""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"{{{name}}}","finalizers":{{{finalizers}}}}}"""));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");
}
